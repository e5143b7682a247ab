using System.CommandLine;
using Genre.Data;
using Genre.Features;
using Spectre.Console;

namespace Genre.Cli.Commands;

public static class PrepareCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data();
        data.Required = true;
        var output = new Option<string>("--out") { Description = "Cache folder to write (re-runs only process changed files)", Required = true };
        var features = new FeatureOptions();
        var cmd = new Command("prepare", "Compute the features of a whole data set into a cache, on all cores (the features --recipe trains on)") { data, output };
        features.AddTo(cmd);
        cmd.SetAction(r =>
        {
            Run(r.GetValue(data)!, r.GetValue(output)!, features.Features(r));
            return ExitCode.Ok;
        });
        return cmd;
    }

    public static FeatureCache.PrepareResult Run(string dataDir, string cacheDir, FeatureSettings settings)
    {
        var dataset = DatasetScanner.Scan(dataDir);
        Ui.Info($"{dataset.Root}: {dataset.Songs.Count} files in {dataset.Genres.Count} genres ({string.Join(", ", dataset.Genres)})");
        var result = Ui.WithProgress(bar =>
            FeatureCache.Prepare(dataset, cacheDir, settings, bar("computing features", dataset.Songs.Count), Interrupt.Token));
        double speed = result.AudioSeconds / Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        Ui.Info($"{cacheDir}: {result.Index.Songs.Count} songs, {result.Index.Songs.Sum(s => s.Chunks)} chunks " +
            $"({result.Computed} computed, {result.Reused} unchanged) in {result.Elapsed.TotalSeconds:F1} s" +
            (result.Computed > 0 ? $", {speed:F0}x real time" : ""));
        ReportFailures(result.Index.Failures);
        return result;
    }

    public static void ReportFailures(IReadOnlyList<SongFailure> failures)
    {
        if (failures.Count == 0) return;
        Ui.Warn($"{failures.Count} file(s) skipped:");
        foreach (var f in failures) Ui.Err.MarkupLine($"  [yellow]{Markup.Escape(f.Key)}[/]: {Markup.Escape(f.Reason)}");
    }
}
