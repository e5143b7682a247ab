using Genre.Features;
using SkiaSharp;

namespace Genre.Reports;

/// <summary>
/// A song's mel spectrogram as a PNG (time across, low frequencies at the bottom), stitched from its
/// chunk images: the first half of every chunk (chunks overlap by half) and the whole last one.
/// </summary>
public static class SpectrogramImage
{
    /// <summary>Image columns between the starts of two chunks (the hop between chunks, in columns).</summary>
    public static int ColumnStep(FeatureSettings s) =>
        Math.Max(1, (int)Math.Round(s.ImageWidth * (s.ChunkSeconds - s.OverlapSeconds) / s.ChunkSeconds));

    /// <summary>Image columns of <paramref name="chunks"/> chunks laid on the song's time axis.</summary>
    public static int Columns(int chunks, FeatureSettings s) => (chunks - 1) * ColumnStep(s) + s.ImageWidth;

    /// <summary>The chunk images laid on the song's time axis: rows x columns, row 0 the lowest mel band.</summary>
    public static (float[] Values, int Columns) Stitch(IReadOnlyList<float[]> chunks, FeatureSettings s)
    {
        int h = s.ImageHeight, w = s.ImageWidth, step = ColumnStep(s);
        int columns = Columns(chunks.Count, s);
        var values = new float[h * columns];
        for (int column = 0; column < columns; column++)
        {
            int chunk = Math.Min(column / step, chunks.Count - 1);
            int inChunk = column - chunk * step;
            for (int y = 0; y < h; y++) values[y * columns + column] = chunks[chunk][y * w + inChunk];
        }
        return (values, columns);
    }

    public static byte[] Png(IReadOnlyList<float[]> chunks, FeatureSettings s, int maxWidth = 1600)
    {
        var (values, columns) = Stitch(chunks, s);
        var colormap = new ScottPlot.Colormaps.Viridis();
        float min = values.Min(), max = Numerics.VectorMath.Max(values);
        float range = Math.Max(max - min, 1e-12f);
        return Render(values, s.ImageHeight, columns, maxWidth, v => colormap.GetColor((v - min) / range) is var c ? new SKColor(c.R, c.G, c.B) : default);
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
