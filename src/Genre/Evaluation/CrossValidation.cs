using System.Text.Json;
using Genre.Data;
using Genre.Model;
using Genre.Reports;
using Genre.Training;

namespace Genre.Evaluation;

/// <summary>One fold's figures at the epoch its recipe keeps (the one a model trained that way would ship), and at its last epoch.</summary>
public sealed record FoldResult(int Fold, int TrainSongs, int ValidationSongs, int BestEpoch, int Epochs,
    double SongAccuracy, double ChunkAccuracy, double ValLoss, double LastSongAccuracy, double LastChunkAccuracy,
    double SecondsPerEpoch, double SecondsToBest);

/// <summary>Mean and (population) standard deviation of a figure over the folds.</summary>
public sealed record Spread(double Mean, double Sd)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.ToList();
        double mean = v.Average();
        return new Spread(mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Count));
    }

    public override string ToString() => $"{Mean:F3} ± {Sd:F3}";
}

/// <summary>What <c>genre cv</c> reports: every fold, and the spread of each figure.</summary>
public sealed record CrossValidationResult(string Recipe, TrainingOptions Options, int Folds, int Songs, IReadOnlyList<FoldResult> Results,
    Spread SongAccuracy, Spread ChunkAccuracy, Spread LastSongAccuracy, Spread LastChunkAccuracy, Spread BestEpoch,
    Spread SecondsPerEpoch, Spread SecondsToBest);

/// <summary>Where a cross-validation run is: inside a fold's training, or a fold just finished.</summary>
public sealed record CrossValidationProgress(int Fold, int Folds, BatchProgress? Batch = null, EpochReport? Epoch = null, FoldResult? Finished = null);

/// <summary>
/// k-fold cross-validation by song (<see cref="SongFolds"/>). Each fold is an ordinary training run with a split file
/// (OUT/fold-N.csv: that fold's songs validate, the rest train) into its own model folder (OUT/fold-N), so any fold can
/// be re-run or inspected by hand. Finished folds are kept (OUT/fold-N/fold.json); an interrupted fold resumes from its
/// checkpoint; OUT/plan.json holds the folds and the recipe, and a run with other ones is refused rather than mixed in.
/// </summary>
public static class CrossValidation
{
    public const string PlanFile = "plan.json", FoldFile = "fold.json", ResultFile = "cv.json", PlotFile = "cv.png";

    sealed record Plan(TrainingOptions Options, int Folds, IReadOnlyList<IReadOnlyList<string>> ValidationSongs);

    /// <returns>The result, or null when stopped before the last fold finished (finished folds are kept).</returns>
    public static CrossValidationResult? Run(FeatureSet set, TrainingOptions options, int folds, string outDir, IReadOnlyList<string>? groups = null,
        IProgress<CrossValidationProgress>? progress = null, CancellationToken cancel = default)
    {
        var problems = options.Problems().Concat(options.ProblemsWith(set.Settings)).ToList();
        if (problems.Count > 0) throw new GenreException(string.Join("; ", problems));
        var fold = SongFolds.Assign(set, folds, options.Seed, groups);
        var validation = Enumerable.Range(0, folds)
            .Select(f => (IReadOnlyList<string>)Enumerable.Range(0, set.Songs.Count).Where(s => fold[s] == f).Select(s => set.Songs[s].Key).ToList()).ToList();
        // the plan ignores what does not change the result: the precision, and the split options the folds replace
        var planned = options with { Precision = Precision.Fp32, Split = SplitKind.File, SplitFile = null, ValidationFraction = 0.2 };
        var plan = new Plan(planned, folds, validation);
        StorageErrors.CreateDirectory(outDir);
        CheckPlan(outDir, plan);

        var results = new List<FoldResult>();
        for (int f = 0; f < folds; f++)
        {
            string dir = Path.Combine(outDir, $"fold-{f + 1}"), splitPath = Path.Combine(outDir, $"fold-{f + 1}.csv");
            string donePath = Path.Combine(dir, FoldFile);
            if (File.Exists(donePath))
            {
                var done = Load<FoldResult>(donePath);
                results.Add(done);
                progress?.Report(new CrossValidationProgress(f + 1, folds, Finished: done));
                continue;
            }
            var validationSet = validation[f].ToHashSet(StringComparer.Ordinal);
            AtomicFile.WriteAllText(splitPath, "file,split\n" + string.Concat(set.Songs.Select(s => $"{s.Key},{(validationSet.Contains(s.Key) ? "val" : "train")}\n")));
            var foldOptions = options with { Split = SplitKind.File, SplitFile = splitPath };
            int index = f + 1;
            var batches = new Relay<BatchProgress>(b => progress?.Report(new CrossValidationProgress(index, folds, Batch: b)));
            var epochs = new Relay<EpochReport>(e => progress?.Report(new CrossValidationProgress(index, folds, Epoch: e)));
            var run = File.Exists(Path.Combine(dir, ModelStore.CheckpointDir, "state.json"))
                ? Trainer.Resume(set, dir, null, options.Precision, batches, epochs, cancel)
                : Trainer.Train(set, foldOptions, dir, batches, epochs, cancel);
            if (run.Stopped) return null;
            var result = Summarise(index, run.History, foldOptions, set.Songs.Count - validation[f].Count, validation[f].Count);
            AtomicFile.WriteAllText(donePath, JsonSerializer.Serialize(result, ModelConfig.Json) + "\n");
            results.Add(result);
            progress?.Report(new CrossValidationProgress(index, folds, Finished: result));
        }
        var summary = new CrossValidationResult(options.Recipe, planned, folds, set.Songs.Count, results,
            Spread.Of(results.Select(r => r.SongAccuracy)), Spread.Of(results.Select(r => r.ChunkAccuracy)),
            Spread.Of(results.Select(r => r.LastSongAccuracy)), Spread.Of(results.Select(r => r.LastChunkAccuracy)),
            Spread.Of(results.Select(r => (double)r.BestEpoch)), Spread.Of(results.Select(r => r.SecondsPerEpoch)),
            Spread.Of(results.Select(r => r.SecondsToBest)));
        AtomicFile.WriteAllText(Path.Combine(outDir, ResultFile), JsonSerializer.Serialize(summary, ModelConfig.Json) + "\n");
        CrossValidationPlot.Save(outDir, folds, Path.Combine(outDir, PlotFile));
        return summary;
    }

    static FoldResult Summarise(int fold, History h, TrainingOptions options, int trainSongs, int validationSongs)
    {
        int best = Trainer.BestEpoch(h, options), last = h.Epochs;
        return new FoldResult(fold, trainSongs, validationSongs, best, last, h.ValSongAccuracy[best - 1], h.ValAccuracy[best - 1], h.ValLoss[best - 1],
            h.ValSongAccuracy[last - 1], h.ValAccuracy[last - 1], h.Seconds.Average(), h.Seconds.Take(best).Sum());
    }

    /// <summary>Writes the plan of a new run, or refuses a run whose folds or recipe differ from the one in <paramref name="outDir"/>.</summary>
    static void CheckPlan(string outDir, Plan plan)
    {
        string path = Path.Combine(outDir, PlanFile);
        string json = JsonSerializer.Serialize(plan, ModelConfig.Json) + "\n";
        if (!File.Exists(path))
        {
            if (Directory.EnumerateFileSystemEntries(outDir).Any())
                throw new GenreException($"{outDir}: not empty and not a cross-validation folder; give a new --out");
            AtomicFile.WriteAllText(path, json);
            return;
        }
        if (File.ReadAllText(path) != json)
            throw new GenreException($"{outDir}: holds a cross-validation run with other folds or another recipe; give another --out (or delete it to start again)");
    }

    static T Load<T>(string path)
    {
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), ModelConfig.Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new GenreException($"{path}: corrupt ({e.Message}); delete it to run that fold again"); }
    }

    sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>cv.png: each fold's song-level validation accuracy over the epochs, and their mean.</summary>
public static class CrossValidationPlot
{
    public static void Save(string outDir, int folds, string path)
    {
        var plot = new ScottPlot.Plot();
        var curves = new List<List<double>>();
        for (int f = 1; f <= folds; f++)
        {
            var h = History.Load(Path.Combine(outDir, $"fold-{f}", ModelStore.HistoryFile));
            curves.Add(h.ValSongAccuracy);
            var line = plot.Add.Scatter(Enumerable.Range(1, h.Epochs).Select(e => (double)e).ToArray(), h.ValSongAccuracy.ToArray());
            line.LegendText = $"fold {f}";
            line.MarkerSize = 0;
        }
        int common = curves.Min(c => c.Count);
        var mean = Enumerable.Range(0, common).Select(e => curves.Average(c => c[e])).ToArray();
        var m = plot.Add.Scatter(Enumerable.Range(1, common).Select(e => (double)e).ToArray(), mean);
        m.LegendText = "mean";
        m.LineWidth = 3;
        m.Color = ScottPlot.Colors.Black;
        plot.Title($"Song-level validation accuracy, {folds}-fold cross-validation by song");
        plot.XLabel("Epoch");
        plot.YLabel("Accuracy");
        plot.ShowLegend();
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(800, 500, ScottPlot.ImageFormat.Png));
    }
}
