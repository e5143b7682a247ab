using System.CommandLine;
using System.Text.Json;
using Genre.Evaluation;
using Genre.Model;
using Genre.Reports;
using Genre.Training;
using Spectre.Console;

namespace Genre.Cli.Commands;

public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var data = SharedOptions.Data();
        var cache = SharedOptions.Cache();
        var json = new Option<string?>("--json") { Description = "Also write the whole evaluation as JSON to this file" };
        var precision = SharedOptions.Precision();
        var cmd = new Command("evaluate", "Loss, accuracy, song-level accuracy, confusion matrix and per-genre scores of a model") { model, data, cache, json, precision };
        cmd.SetAction(r =>
        {
            Run(r.GetValue(model)!, r.GetValue(data), r.GetValue(cache), r.GetValue(json), r.GetValue(precision)!);
            return ExitCode.Ok;
        });
        return cmd;
    }

    public static EvaluationResult Run(string modelDir, string? data, string? cache, string? jsonPath, string precision)
    {
        using var model = PredictCommand.LoadModel(modelDir, precision);
        var split = SplitRecord.Load(Path.Combine(modelDir, ModelStore.SplitFile));
        var set = DataLoading.Load(data, cache, model.Config.Features);
        var result = Evaluator.Evaluate(model, set, split, Interrupt.Token);
        Print(result);
        ConfusionPlot.Save(result, Path.Combine(modelDir, ConfusionPlot.FileName));
        Ui.Info($"confusion matrix plot: {Path.Combine(modelDir, ConfusionPlot.FileName)}");
        if (jsonPath is not null)
        {
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(result, ModelConfig.Json) + "\n");
            Ui.Info($"evaluation written to {jsonPath}");
        }
        return result;
    }

    static void Print(EvaluationResult r)
    {
        var o = Ui.Out;
        o.WriteLine($"split: {r.Split} ({SplitDescription(r.Split)})");
        foreach (var p in r.Parts)
            o.WriteLine($"{p.Name} ({p.Songs} songs, {p.Chunks} chunks): loss {p.Loss:F4} - accuracy {p.Accuracy:F4} - song-level accuracy {p.SongAccuracy:F4}");
        if (r.Warning is not null) o.MarkupLine($"[yellow]note:[/] {Markup.Escape(r.Warning)}");
        var cm = new Table().Title($"confusion matrix ({r.MatrixPart} chunks; rows: true genre, columns: predicted)").AddColumn("");
        foreach (var g in r.Genres) cm.AddColumn(new TableColumn(Markup.Escape(g)).RightAligned());
        for (int i = 0; i < r.Genres.Count; i++)
            cm.AddRow(new[] { Markup.Escape(r.Genres[i]) }.Concat(r.ConfusionMatrix[i].Select((c, j) => i == j ? $"[green]{c}[/]" : c == 0 ? "[grey]0[/]" : c.ToString())).ToArray());
        o.Write(cm);
        var scores = new Table().Title($"per genre ({r.MatrixPart} chunks)").AddColumns("genre", "precision", "recall", "f1-score", "support");
        foreach (var m in r.PerGenre) scores.AddRow(Markup.Escape(m.Genre), $"{m.Precision:F2}", $"{m.Recall:F2}", $"{m.F1:F2}", $"{m.Support}");
        o.Write(scores);
        if (r.Confidence is { Count: > 0 } rows)
        {
            var trust = new Table().Title($"what --min-confidence buys ({r.MatrixPart} songs)")
                .AddColumns("min-confidence", "confident songs", "coverage", "accuracy (confident)", "accuracy (uncertain)");
            static string Acc(double? a) => a is { } v ? $"{v:F2}" : "-";
            foreach (var row in rows)
                trust.AddRow($"{row.MinConfidence:F1}", $"{row.Confident}/{row.Songs}", $"{row.Coverage:F2}", Acc(row.ConfidentAccuracy), Acc(row.UncertainAccuracy));
            o.Write(trust);
        }
    }

    static string SplitDescription(string split) => split switch
    {
        "songs" => "by song, random per genre; no song on both sides",
        "chunks" => "by chunk, the tutorial's leaky split",
        "filtered" => "GTZAN fault-filtered partition, Kereliuk, Sturm and Larsen 2015",
        "file" => "by the split file given to train",
        _ => "recorded with the model",
    };
}
