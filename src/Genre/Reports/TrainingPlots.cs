using Genre.Training;
using ScottPlot;

namespace Genre.Reports;

/// <summary>accuracy.png and loss.png: training and validation curves over the epochs, as in the tutorial.</summary>
public static class TrainingPlots
{
    public const string AccuracyFile = "accuracy.png", LossFile = "loss.png";

    public static void Save(History history, string modelDir, string split)
    {
        var epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
        Plot("Visualization of Accuracy", "Accuracy", epochs, history.Accuracy, history.ValAccuracy, split, Path.Combine(modelDir, AccuracyFile));
        Plot("Visualization of Loss", "Loss", epochs, history.Loss, history.ValLoss, split, Path.Combine(modelDir, LossFile));
    }

    static void Plot(string title, string yLabel, double[] x, IReadOnlyList<double> train, IReadOnlyList<double> val, string split, string path)
    {
        var plot = new Plot();
        var t = plot.Add.Scatter(x, train.ToArray());
        t.LegendText = "Training " + yLabel;
        t.Color = Colors.Red;
        var v = plot.Add.Scatter(x, val.ToArray());
        v.LegendText = "Validation " + yLabel;
        v.Color = Colors.Blue;
        plot.Title($"{title} (split by {split})");
        plot.XLabel("No. of Epochs");
        plot.YLabel(yLabel);
        plot.ShowLegend();
        var bytes = plot.GetImageBytes(800, 500, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
