using Genre.Features;
using ScottPlot;
using SkiaSharp;

namespace Genre.Reports;

/// <summary>
/// Pictures of an <see cref="Explanation.Explanation"/>: a figure for `genre explain` (the song's mel
/// spectrogram in grey, the heat map over it, time in seconds across, frequency in Hz up) and a
/// transparent overlay for the web page's spectrogram.
/// </summary>
public static class ExplanationImage
{
    /// <summary>Heat values at or below this share of the song's maximum are fully transparent.</summary>
    const double Floor = 0.1;

    public static void Save(Explanation.Explanation e, FeatureSettings f, string path, int width = 1400, int height = 500) =>
        AtomicFile.WriteAllBytes(path, Png(e, f, width, height));

    public static byte[] Png(Explanation.Explanation e, FeatureSettings f, int width = 1400, int height = 500)
    {
        int rows = e.Rows, columns = e.Columns;
        var spectrogram = new double[rows, columns];
        var heat = new double[rows, columns];
        var alpha = new byte[rows, columns];
        float heatMax = Math.Max(e.Heat.Max(), 1e-12f);
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < columns; x++)
            {
                int i = y * columns + x, row = rows - 1 - y; // heat map row 0 is drawn at the top
                spectrogram[row, x] = e.Spectrogram[i];
                double v = e.Heat[i] / heatMax;
                heat[row, x] = v;
                alpha[row, x] = Alpha(v);
            }
        double seconds = columns * e.SecondsPerColumn;
        var area = new CoordinateRect(0, seconds, 0, rows);
        var plot = new Plot();
        var background = plot.Add.Heatmap(spectrogram);
        background.Colormap = new ScottPlot.Colormaps.Grayscale();
        background.Rectangle = area;
        var overlay = plot.Add.Heatmap(heat);
        overlay.Colormap = new ScottPlot.Colormaps.Turbo();
        overlay.AlphaMap = alpha;
        overlay.Rectangle = area;
        plot.Add.ColorBar(overlay).Label = $"evidence for {e.Genre} (Grad-CAM)";
        double[] hz = [0, 250, 500, 1000, 2000, 4000, 8000];
        var ticks = hz.Where(v => v <= f.MaxFrequencyHz).ToArray();
        plot.Axes.Left.SetTicks(ticks.Select(v => RowOf(v, f)).ToArray(), ticks.Select(v => v >= 1000 ? $"{v / 1000:0.#} k" : $"{v:0}").ToArray());
        plot.Axes.SetLimits(0, seconds, 0, rows);
        plot.XLabel("time (s)");
        plot.YLabel("frequency (Hz, mel scale)");
        var c = e.Prediction.Confidence;
        string predicted = e.Genre != e.Prediction.Genre ? $"; predicted: {e.Prediction.Genre} {e.Prediction.Probability * 100:F1}%" : "";
        plot.Title($"{Path.GetFileName(e.Prediction.File)}: why {e.Genre} ({e.Probability * 100:F1}%){predicted}{(c is null ? "" : $", {c.Verdict}")}");
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>The heat map alone, coloured and transparent where there is little evidence, with the geometry of
    /// <see cref="SpectrogramImage.Png"/> (same width for the same song), to lay over it on the web page.</summary>
    public static byte[] OverlayPng(Explanation.Explanation e, int maxWidth = 1600)
    {
        var colormap = new ScottPlot.Colormaps.Turbo();
        float max = Math.Max(e.Heat.Max(), 1e-12f);
        return SpectrogramImage.Render(e.Heat, e.Rows, e.Columns, maxWidth, v =>
        {
            var c = colormap.GetColor(v / max);
            return new SKColor(c.R, c.G, c.B, Alpha(v / max));
        });
    }

    static byte Alpha(double share) => (byte)Math.Round(Math.Clamp((share - Floor) / (1 - Floor), 0, 1) * 170);

    /// <summary>Image row (0 = bottom) of <paramref name="hz"/>: mel bands are evenly spaced on the mel scale and resized to the image height.</summary>
    public static double RowOf(double hz, FeatureSettings f)
    {
        double melMin = MelFilterBank.HzToMel(f.FMinHz), melMax = MelFilterBank.HzToMel(f.MaxFrequencyHz);
        double band = (MelFilterBank.HzToMel(hz) - melMin) / (melMax - melMin) * (f.NMels + 1) - 1; // band centres
        return Math.Clamp((band + 0.5) * f.InputHeight / f.NMels, 0, f.InputHeight);
    }
}
