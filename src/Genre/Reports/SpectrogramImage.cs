using Genre.Features;
using SkiaSharp;

namespace Genre.Reports;

/// <summary>
/// A song's mel spectrogram as a PNG (time across, low frequencies at the bottom), stitched from its
/// chunk images: the first half of every chunk (chunks overlap by half) and the whole last one.
/// </summary>
public static class SpectrogramImage
{
    public static byte[] Png(IReadOnlyList<float[]> chunks, FeatureSettings s, int maxWidth = 1600)
    {
        int h = s.ImageHeight, w = s.ImageWidth;
        double keep = (s.ChunkSeconds - s.OverlapSeconds) / s.ChunkSeconds;
        int step = Math.Max(1, (int)Math.Round(w * keep));
        int columns = (chunks.Count - 1) * step + w;
        var colormap = new ScottPlot.Colormaps.Viridis();
        int width = Math.Min(columns, maxWidth);
        float min = chunks.Min(c => c.Min()), max = chunks.Max(c => Numerics.VectorMath.Max(c));
        float range = Math.Max(max - min, 1e-12f);
        using var bitmap = new SKBitmap(width, h);
        for (int x = 0; x < width; x++)
        {
            int column = (int)((long)x * columns / width);
            int chunk = Math.Min(column / step, chunks.Count - 1);
            int inChunk = column - chunk * step;
            for (int y = 0; y < h; y++)
            {
                float v = (chunks[chunk][y * w + inChunk] - min) / range;
                var c = colormap.GetColor(v);
                bitmap.SetPixel(x, h - 1 - y, new SKColor(c.R, c.G, c.B));
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 90);
        return data.ToArray();
    }
}
