using Genre.Features;
using SkiaSharp;

namespace Genre.Reports;

/// <summary>
/// A song's mel spectrogram as a PNG (time across, low frequencies at the bottom), stitched from its
/// chunk images: each chunk from its first column to the next chunk's start, and the whole last one.
/// </summary>
public static class SpectrogramImage
{
    /// <summary>Seconds one image column covers: a frame hop for native chunks, the chunk spread over the resized width otherwise.</summary>
    public static double SecondsPerColumn(FeatureSettings s) =>
        s.IsNative ? (double)s.HopLength / s.SampleRate : s.ChunkSeconds / s.ImageWidth;

    /// <summary>First column of each chunk on the song's time axis, from the chunks' start times.</summary>
    public static int[] Lefts(IReadOnlyList<FeatureChunk> chunks, FeatureSettings s)
    {
        double perColumn = SecondsPerColumn(s);
        var lefts = new int[chunks.Count];
        for (int c = 0; c < lefts.Length; c++) lefts[c] = Math.Max(c == 0 ? 0 : lefts[c - 1], (int)Math.Round(chunks[c].StartSeconds / perColumn));
        return lefts;
    }

    /// <summary>Columns of the stitched image: up to the end of the last chunk.</summary>
    public static int Columns(int[] lefts, FeatureSettings s) => lefts.Length == 0 ? 0 : lefts[^1] + s.InputWidth;

    /// <summary>The chunk images laid on the song's time axis: rows x columns, row 0 the lowest mel band.</summary>
    public static (float[] Values, int Columns) Stitch(IReadOnlyList<FeatureChunk> chunks, FeatureSettings s)
    {
        int h = s.InputHeight, w = s.InputWidth;
        var lefts = Lefts(chunks, s);
        int columns = Columns(lefts, s);
        var values = new float[h * columns];
        int chunk = 0;
        for (int column = 0; column < columns; column++)
        {
            while (chunk + 1 < chunks.Count && lefts[chunk + 1] <= column) chunk++;
            int inChunk = column - lefts[chunk];
            for (int y = 0; y < h; y++) values[y * columns + column] = chunks[chunk].Image[y * w + inChunk];
        }
        return (values, columns);
    }

    public static byte[] Png(IReadOnlyList<FeatureChunk> chunks, FeatureSettings s, int maxWidth = 1600)
    {
        var (values, columns) = Stitch(chunks, s);
        var colormap = new ScottPlot.Colormaps.Viridis();
        float min = values.Min(), max = Numerics.VectorMath.Max(values);
        float range = Math.Max(max - min, 1e-12f);
        return Render(values, s.InputHeight, columns, maxWidth, v => colormap.GetColor((v - min) / range) is var c ? new SKColor(c.R, c.G, c.B) : default);
    }

    /// <summary>Draws rows x columns values (row 0 at the bottom), squeezing the columns to at most <paramref name="maxWidth"/> pixels.</summary>
    public static byte[] Render(float[] values, int rows, int columns, int maxWidth, Func<float, SKColor> color)
    {
        int width = Math.Min(columns, maxWidth);
        using var bitmap = new SKBitmap(width, rows, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int x = 0; x < width; x++)
        {
            int column = (int)((long)x * columns / width);
            for (int y = 0; y < rows; y++) bitmap.SetPixel(x, rows - 1 - y, color(values[y * columns + column]));
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }
}
