using System.CommandLine;
using Genre.Data;
using Genre.Features;
using Genre.Training;
using Spectre.Console;

namespace Genre.Cli.Commands;

public static class TrainCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data();
        var cache = SharedOptions.Cache();
        var output = new Option<string?>("--out") { Description = "Model folder to write (config.json, model.safetensors, history.json, plots)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this model folder (--epochs may extend it)" };
        var recipe = new RecipeOptions();
        var split = new Option<string?>("--split")
        {
            Description = "songs (default; honest: no song on both sides), chunks (the tutorial's leaky split) or filtered " +
                "(GTZAN's fault-filtered partition: 443 train, 197 validation, 290 test clips)",
        };
        split.OneOf("songs", "chunks", "filtered");
        var splitFile = new Option<string?>("--split-file") { Description = "CSV 'file,split' (train, val, test) naming each file's side: an artist-aware split of your own" };
        var precision = SharedOptions.Precision();
        var cmd = new Command("train", "Train the genre CNN and save it with its history and plots") { data, cache, output, resume, split, splitFile, precision };
        recipe.AddTo(cmd);
        cmd.SetAction(r =>
        {
            string? file = r.GetValue(splitFile);
            if (file is not null && r.GetValue(split) is not null) throw new UsageException("give --split or --split-file, not both");
            var options = recipe.Training(r) with
            {
                SplitFile = file,
                Split = file is not null ? SplitKind.File : r.GetValue(split) switch { "chunks" => SplitKind.Chunks, "filtered" => SplitKind.Filtered, _ => SplitKind.Songs },
            };
            string? resumeDir = r.GetValue(resume);
            string? outDir = r.GetValue(output);
            if (resumeDir is null && outDir is null) throw new UsageException("give --out MODEL_DIR (or --resume MODEL_DIR)");
            var problems = options.Problems();
            if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
            if (r.GetValue(cache) is not null && recipe.HasFeatureOptions(r))
                throw new UsageException("--scale, --layout, --native and --chunk-seconds apply to --data; a cache holds the features it was prepared with");
            var features = recipe.Features(r);
            var set = DataLoading.Load(r.GetValue(data), r.GetValue(cache), features);
            if (resumeDir is null) RecipeOptions.CheckCache(r.GetValue(cache), set, recipe.Recipe(r), options);
            options = options with { Precision = SharedOptions.ResolvePrecision(r.GetValue(precision)!) };
            var result = resumeDir is not null
                ? Run(set, options, resumeDir, resume: true, epochsOverride: r.GetValue(recipe.EpochsOption))
                : Run(set, options, outDir!, resume: false, epochsOverride: null);
            return result.Stopped ? ExitCode.Interrupted : ExitCode.Ok;
        });
        return cmd;
    }

    public static Trainer.Result Run(FeatureSet set, TrainingOptions options, string modelDir, bool resume, int? epochsOverride)
    {
        if (!resume)
            Ui.Info($"training '{options.Architecture}' (recipe {options.Recipe}) on {set.Songs.Count} songs ({set.ChunkCount} chunks), " +
                $"split by {options.Split.ToString().ToLowerInvariant()}, {options.Epochs} epochs, batch {options.BatchSize}, lr {options.LearningRate:G3}, seed {options.Seed}" +
                (options.InitFrom is null ? "" : $", starting from {options.InitFrom}{(options.Freeze ? " (head only)" : "")}"));
        if (options.Split == SplitKind.Chunks)
            Ui.Warn("--split chunks puts chunks of one song on both sides: validation accuracy will be inflated");
        if (!resume && options.FixedPartition() is { } partition) ReportFixedSplit(set, partition, options.Split);
        void PrintEpoch(EpochReport e) => Ui.Err.MarkupLine(
            $"epoch {e.Epoch,3}/{e.Epochs}: loss {e.Loss:F4} - accuracy {e.Accuracy:F4} - val_loss {e.ValLoss:F4} - " +
            $"val_accuracy {e.ValAccuracy:F4} - val_song_accuracy {e.ValSongAccuracy:F4} - {e.Seconds:F1} s{(e.IsBest ? " [green](best, saved)[/]" : "")}");
        Trainer.Result Train(IProgress<BatchProgress>? batches, IProgress<EpochReport> epochs) => resume
            ? Trainer.Resume(set, modelDir, epochsOverride, options.Precision, batches, epochs, Interrupt.Token)
            : Trainer.Train(set, options, modelDir, batches, epochs, Interrupt.Token);

        var result = !Ui.Interactive ? Train(null, new SyncProgress<EpochReport>(PrintEpoch)) : Ui.Err.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                var batches = new SyncProgress<BatchProgress>(p =>
                {
                    if (task is null || p.Batch == 1)
                    {
                        task?.StopTask();
                        task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs}", maxValue: p.Batches);
                    }
                    task.Value = p.Batch;
                    task.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F4}  accuracy {p.Accuracy:F4}";
                });
                var epochs = new SyncProgress<EpochReport>(e =>
                {
                    task?.StopTask();
                    task = null;
                    PrintEpoch(e);
                });
                return Train(batches, epochs);
            });
        if (result.Stopped)
            Ui.Warn($"stopped after {result.History.Epochs} epoch(s); continue with ./genre train --resume {modelDir} (and the same --data or --cache)");
        if (result.History.Epochs > 0)
            Ui.Info($"{modelDir}: best epoch {result.BestEpoch} (val_accuracy {result.History.ValAccuracy[result.BestEpoch - 1]:F4}, " +
                $"song-level {result.History.ValSongAccuracy[result.BestEpoch - 1]:F4}) saved as model.safetensors; history.json, accuracy.png, loss.png written");
        return result;
    }

    /// <summary>Sides of a fixed partition, and what it names that is not there or leaves out (never silently mixed in).</summary>
    static void ReportFixedSplit(FeatureSet set, SplitFile partition, SplitKind kind)
    {
        var split = SongSplit.Fixed(set, partition, kind);
        int Songs(int[] chunks) => chunks.Select(c => set.ChunkSong[c]).Distinct().Count();
        Ui.Info($"split {kind.ToString().ToLowerInvariant()} ({partition.Source}): {Songs(split.TrainChunks)} train, {Songs(split.ValidationChunks)} validation " +
            $"(chooses the epoch), {Songs(split.TestChunks)} test songs (only evaluated)");
        if (split.Unused.Count > 0)
            Ui.Warn($"{split.Unused.Count} file(s) of the data are not in the split and stay unused: {Sample(split.Unused)}");
        if (split.Missing.Count > 0)
            Ui.Warn($"{split.Missing.Count} file(s) named in the split are not in the data (missing or unreadable): {Sample(split.Missing)}");
    }

    static string Sample(IReadOnlyList<string> names, int shown = 8) =>
        string.Join(", ", names.Take(shown)) + (names.Count > shown ? $", ... (all in split.json)" : "");
}
