using Genre.Evaluation;
using ScottPlot;

namespace Genre.Reports;

/// <summary>confusion_matrix.png: a heat map of the confusion matrix with counts in the cells.</summary>
public static class ConfusionPlot
{
    public const string FileName = "confusion_matrix.png";

    public static void Save(EvaluationResult result, string path)
    {
        int n = result.Genres.Count;
        var values = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) values[i, j] = result.ConfusionMatrix[i][j];
        var plot = new Plot();
        var map = plot.Add.Heatmap(values);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                var label = plot.Add.Text(result.ConfusionMatrix[i][j].ToString(), j, n - 1 - i);
                label.LabelFontColor = Colors.White;
                label.LabelAlignment = Alignment.MiddleCenter;
            }
        var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, result.Genres.ToArray());
        plot.Axes.Left.SetTicks(ticks, result.Genres.Reverse().ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Title($"Confusion matrix ({result.MatrixPart}, split by {result.Split})");
        plot.XLabel("Predicted genre");
        plot.YLabel("True genre");
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(700, 650, ImageFormat.Png));
    }
}
