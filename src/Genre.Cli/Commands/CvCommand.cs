using System.CommandLine;
using System.Text.Json;
using Genre.Evaluation;
using Genre.Model;
using Genre.Reports;
using Spectre.Console;

namespace Genre.Cli.Commands;

/// <summary>`genre cv`: k-fold cross-validation by song of a recipe, resumable, with the spread over the folds.</summary>
public static class CvCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data();
        var cache = SharedOptions.Cache();
        var folds = new Option<int>("--folds") { Description = "Number of folds (each song validates once)", DefaultValueFactory = _ => 5 };
        var groups = new Option<string?>("--groups") { Description = "CSV 'file,group' (an artist or album): each group stays inside one fold" };
        var output = new Option<string?>("--out") { Description = "Folder for the folds' models and the report (default cv-<recipe>); a re-run resumes it" };
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file" };
        var recipe = new RecipeOptions();
        var precision = SharedOptions.Precision();
        var cmd = new Command("cv", "Cross-validate a training recipe by song: each fold's song- and chunk-level accuracy, their mean and spread")
            { data, cache, folds, groups, output, json, precision };
        recipe.AddTo(cmd);
        cmd.SetAction(r =>
        {
            int k = r.GetValue(folds);
            if (k < 2 || k > 100) throw new UsageException($"--folds {k} must be 2..100");
            var options = recipe.Training(r);
            if (r.GetValue(cache) is not null && recipe.HasFeatureOptions(r))
                throw new UsageException("--scale, --layout, --native and --chunk-seconds apply to --data; a cache holds the features it was prepared with");
            string outDir = r.GetValue(output) ?? $"cv-{options.Recipe}";
            var set = DataLoading.Load(r.GetValue(data), r.GetValue(cache), recipe.Features(r));
            RecipeOptions.CheckCache(r.GetValue(cache), set, recipe.Recipe(r), options);
            IReadOnlyList<string>? groupKeys = null;
            if (r.GetValue(groups) is { } groupsPath)
            {
                var (keys, missing, unnamed) = Data.SongFolds.ReadGroups(groupsPath, set);
                if (missing.Count > 0) Ui.Warn($"{missing.Count} file(s) of {groupsPath} are not in the data: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")}");
                if (unnamed > 0) Ui.Warn($"{unnamed} song(s) have no group in {groupsPath}: each is a group of its own");
                groupKeys = keys;
            }
            options = options with { Precision = SharedOptions.ResolvePrecision(r.GetValue(precision)!) };
            var result = Run(set, options, k, outDir, groupKeys);
            if (result is null) return ExitCode.Interrupted;
            if (r.GetValue(json) is { } jsonPath)
            {
                AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(result, ModelConfig.Json) + "\n");
                Ui.Info($"figures written to {jsonPath}");
            }
            return ExitCode.Ok;
        });
        return cmd;
    }

    static CrossValidationResult? Run(Data.FeatureSet set, Training.TrainingOptions options, int k, string outDir, IReadOnlyList<string>? groups)
    {
        Ui.Info($"{k}-fold cross-validation by song of recipe '{options.Recipe}' ('{options.Architecture}', {options.Epochs} epochs) on {set.Songs.Count} songs " +
            $"({set.ChunkCount} chunks) into {outDir}");
        void PrintFold(FoldResult f) => Ui.Err.MarkupLine(Markup.Escape(
            $"fold {f.Fold}/{k}: song-level {f.SongAccuracy:F3}, chunk-level {f.ChunkAccuracy:F3} at epoch {f.BestEpoch}/{f.Epochs} " +
            $"(last epoch: {f.LastSongAccuracy:F3} / {f.LastChunkAccuracy:F3}), {f.SecondsPerEpoch:F1} s per epoch"));
        int epochsPerFold = options.Epochs;
        CrossValidationResult? result;
        if (!Ui.Interactive)
        {
            result = CrossValidation.Run(set, options, k, outDir, groups, new SyncProgress<CrossValidationProgress>(p =>
            {
                if (p.Epoch is { } e)
                    Ui.Info($"fold {p.Fold}/{k} epoch {e.Epoch,3}/{e.Epochs}: loss {e.Loss:F4} - val_loss {e.ValLoss:F4} - val_accuracy {e.ValAccuracy:F4} - " +
                        $"val_song_accuracy {e.ValSongAccuracy:F4} - {e.Seconds:F1} s{(e.IsBest ? " (best)" : "")}");
                if (p.Finished is { } f) PrintFold(f);
            }), Interrupt.Token);
        }
        else
        {
            result = Ui.Err.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var all = ctx.AddTask("cross-validation", maxValue: k * epochsPerFold);
                    ProgressTask? epochTask = null;
                    return CrossValidation.Run(set, options, k, outDir, groups, new SyncProgress<CrossValidationProgress>(p =>
                    {
                        if (p.Batch is { } b)
                        {
                            if (epochTask is null || b.Batch == 1)
                            {
                                epochTask?.StopTask();
                                epochTask = ctx.AddTask($"fold {p.Fold}/{k} epoch {b.Epoch}/{b.Epochs}", maxValue: b.Batches);
                            }
                            epochTask.Value = b.Batch;
                            all.Value = (p.Fold - 1) * epochsPerFold + b.Epoch - 1 + (double)b.Batch / b.Batches;
                            all.Description = $"cross-validation: fold {p.Fold}/{k}";
                        }
                        if (p.Epoch is not null) { epochTask?.StopTask(); epochTask = null; }
                        if (p.Finished is { } f)
                        {
                            all.Value = p.Fold * epochsPerFold;
                            PrintFold(f);
                        }
                    }), Interrupt.Token);
                });
        }
        if (result is null)
        {
            Ui.Warn($"stopped; finished folds are kept in {outDir}: run the same command again to continue");
            return null;
        }
        Print(result, outDir);
        return result;
    }

    static void Print(CrossValidationResult r, string outDir)
    {
        var table = new Table().Title($"{r.Folds}-fold cross-validation by song, recipe '{r.Recipe}' ({r.Songs} songs)")
            .AddColumns("fold", "songs (train/val)", "song-level", "chunk-level", "kept epoch", "last: song / chunk", "s/epoch", "s to kept epoch");
        foreach (var f in r.Results)
            table.AddRow($"{f.Fold}", $"{f.TrainSongs}/{f.ValidationSongs}", $"{f.SongAccuracy:F3}", $"{f.ChunkAccuracy:F3}", $"{f.BestEpoch}/{f.Epochs}",
                $"{f.LastSongAccuracy:F3} / {f.LastChunkAccuracy:F3}", $"{f.SecondsPerEpoch:F1}", $"{f.SecondsToBest:F0}");
        table.AddRow("[bold]mean ± sd[/]", "", $"[bold]{r.SongAccuracy}[/]", $"[bold]{r.ChunkAccuracy}[/]", $"{r.BestEpoch.Mean:F1}",
            $"{r.LastSongAccuracy.Mean:F3} / {r.LastChunkAccuracy.Mean:F3}", $"{r.SecondsPerEpoch.Mean:F1}", $"{r.SecondsToBest.Mean:F0}");
        Ui.Out.Write(table);
        Ui.Out.WriteLine($"song-level {r.SongAccuracy}, chunk-level {r.ChunkAccuracy} (mean ± sd over {r.Folds} folds)");
        Ui.Info($"{Path.Combine(outDir, CrossValidation.ResultFile)} and {Path.Combine(outDir, CrossValidation.PlotFile)} written");
    }
}
