using System.Diagnostics;
using System.Text.Json;
using Genre.Data;
using Genre.Model;
using Genre.Reports;
using static TorchSharp.torch;

namespace Genre.Training;

/// <summary>
/// Trains a network on a feature set and keeps MODEL_DIR current after every epoch: the best epoch's
/// weights (model.safetensors), the last epoch's weights and optimiser state (checkpoint/, for
/// --resume), history.json and the two plots. Every file is written atomically, so stopping at any
/// moment loses at most the epoch in progress. Deterministic for a seed: each epoch re-seeds its
/// shuffle and dropout from (seed, epoch), so a resumed run continues exactly as an unbroken one.
/// </summary>
public sealed class Trainer
{
    const string CheckpointWeights = "weights.safetensors", CheckpointOptimizer = "optimizer.bin", CheckpointStateFile = "state.json";

    public sealed record CheckpointState(int EpochsDone, TrainingOptions Options);

    public sealed record Result(History History, int BestEpoch, bool Stopped, string ModelDir);

    /// <summary>Starts a new training run into <paramref name="modelDir"/>.</summary>
    public static Result Train(FeatureSet set, TrainingOptions options, string modelDir,
        IProgress<BatchProgress>? batchProgress = null, IProgress<EpochReport>? epochProgress = null, CancellationToken cancel = default)
    {
        var problems = options.Problems().Concat(options.ProblemsWith(set.Settings)).ToList();
        if (problems.Count > 0) throw new GenreException(string.Join("; ", problems));
        var split = options.FixedPartition() is { } partition
            ? SongSplit.Fixed(set, partition, options.Split)
            : SongSplit.Split(set, options.Split, options.ValidationFraction, options.Seed);
        if (split.TrainChunks.Length == 0 || split.ValidationChunks.Length == 0)
            throw new GenreException($"the split left {split.TrainChunks.Length} training and {split.ValidationChunks.Length} validation chunks; add songs or change --val-fraction");
        var config = new ModelConfig
        {
            Architecture = options.Architecture, Genres = set.Genres, Features = set.Settings,
            Normalization = InputNormalization.For(set.Settings), Split = options.Split.ToString().ToLowerInvariant(), Seed = options.Seed,
            ValidationFraction = options.ValidationFraction, TrainingPrecision = options.Precision,
            SongAveraging = options.SongAveraging, Recipe = options.Recipe,
        };
        using var net = new GenreNet(config.BuildArchitecture(), options.Seed) { Precision = options.Precision };
        if (options.InitFrom is not null) Transfer.LoadBody(net, options.InitFrom, set.Settings);
        StorageErrors.CreateDirectory(modelDir);
        SplitRecord.Save(Path.Combine(modelDir, ModelStore.SplitFile), set, split);
        config.Save(Path.Combine(modelDir, ModelStore.ConfigFile));
        return Run(set, split, config, options, net, new History(), 0, modelDir, batchProgress, epochProgress, cancel, optimizerState: null);
    }

    /// <summary>Continues a run from MODEL_DIR's checkpoint; <paramref name="epochs"/> may extend it, and
    /// <paramref name="precision"/> change it (the same precision continues bit for bit as an unbroken run).</summary>
    public static Result Resume(FeatureSet set, string modelDir, int? epochs, Precision? precision = null,
        IProgress<BatchProgress>? batchProgress = null, IProgress<EpochReport>? epochProgress = null, CancellationToken cancel = default)
    {
        var config = ModelConfig.Load(Path.Combine(modelDir, ModelStore.ConfigFile));
        string checkpoint = Path.Combine(modelDir, ModelStore.CheckpointDir);
        string statePath = Path.Combine(checkpoint, CheckpointStateFile);
        if (!File.Exists(statePath)) throw new GenreException($"{modelDir}: no checkpoint to resume from (train into it first)");
        var state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(statePath), ModelConfig.Json)
            ?? throw new GenreException($"{statePath}: corrupt checkpoint state");
        if (config.Features != set.Settings)
            throw new GenreException($"{modelDir}: the model's feature settings differ from the data's; use the same cache or settings");
        if (!config.Genres.SequenceEqual(set.Genres))
            throw new GenreException($"{modelDir}: the model's genres ({string.Join(", ", config.Genres)}) differ from the data's ({string.Join(", ", set.Genres)})");
        var options = state.Options with { Epochs = epochs ?? state.Options.Epochs, Precision = precision ?? state.Options.Precision };
        var split = options.Split switch
        {
            SplitKind.Songs => SongSplit.FromValidationSongs(set, SplitRecord.Load(Path.Combine(modelDir, ModelStore.SplitFile)).Validation.ToHashSet()),
            SplitKind.Chunks => SongSplit.Split(set, options.Split, options.ValidationFraction, options.Seed),
            _ => SplitRecord.Load(Path.Combine(modelDir, ModelStore.SplitFile)).Recreate(set, options.Split),
        };
        var history = History.Load(Path.Combine(modelDir, ModelStore.HistoryFile));
        if (history.Epochs != state.EpochsDone) throw new GenreException($"{modelDir}: history has {history.Epochs} epochs, checkpoint {state.EpochsDone}; cannot resume");
        using var net = new GenreNet(config.BuildArchitecture(), options.Seed) { Precision = options.Precision };
        ModelStore.LoadWeights(net, Path.Combine(checkpoint, CheckpointWeights));
        return Run(set, split, config, options, net, history, state.EpochsDone, modelDir, batchProgress, epochProgress, cancel,
            optimizerState: Path.Combine(checkpoint, CheckpointOptimizer));
    }

    static Result Run(FeatureSet set, SplitResult split, ModelConfig config, TrainingOptions options, GenreNet net, History history, int epochsDone,
        string modelDir, IProgress<BatchProgress>? batchProgress, IProgress<EpochReport>? epochProgress, CancellationToken cancel, string? optimizerState)
    {
        var trained = options.Freeze ? Transfer.HeadParameters(net) : net.parameters();
        using var optimizer = new FusedAdam(trained, options.LearningRate, options.WeightDecay);
        if (optimizerState is not null)
        {
            if (!File.Exists(optimizerState)) throw new GenreException($"{optimizerState}: optimiser state missing; cannot resume");
            optimizer.load_state_dict(optimizerState);
        }
        var batches = new Batches(set, config.Normalization);
        var windows = new EpochWindows(set, split.TrainChunks, options.RandomCrops && set.CanCrop);
        int bs = options.BatchSize, genres = set.Genres.Count;
        int nBatches = (windows.PerEpoch + bs - 1) / bs;
        var schedule = new LearningRate(options, nBatches);
        bool softTargets = !options.Augmentation.IsNone || options.LabelSmoothing > 0;
        double dbPerUnit = config.Normalization.Scale == 0 ? 1 : 1 / config.Normalization.Scale;

        for (int epoch = epochsDone + 1; epoch <= options.Epochs; epoch++)
        {
            if (EarlyStop(history, options.Patience)) break;
            var clock = Stopwatch.StartNew();
            net.Reseed(options.Seed * 10_007L + epoch);
            var order = windows.Draw(new Random(options.Seed * 7919 + epoch));
            var augmentRandom = new Random(options.Seed * 104_729 + epoch);
            net.train();
            if (options.Freeze) net.BodyToEvaluation();
            double lossSum = 0;
            long correct = 0, seen = 0;
            for (int b = 0; b < nBatches; b++)
            {
                TestHooks.Step(cancel);
                if (cancel.IsCancellationRequested)
                    return new Result(history, BestEpoch(history, options), Stopped: true, modelDir);
                using var scope = NewDisposeScope();
                var idx = order.AsSpan(b * bs, Math.Min(bs, order.Length - b * bs));
                var x = batches.Inputs(idx);
                var y = batches.Labels(idx);
                Tensor? targets = softTargets ? Augment(x, idx, set, options, genres, dbPerUnit, augmentRandom) : null;
                var logits = net.call(x);
                var loss = targets is not null
                    ? -(Smooth(targets, options.LabelSmoothing, genres) * nn.functional.log_softmax(logits, 1)).sum(1).mean()
                    : nn.functional.cross_entropy(logits, y);
                net.zero_grad(); // gradients set to none: backward writes them instead of adding to zeros
                loss.backward();
                optimizer.SetLearningRate(schedule.At(epoch, b));
                optimizer.step();
                float stepLoss = loss.item<float>();
                if (!float.IsFinite(stepLoss))
                    throw new GenreException($"training diverged: the loss became {stepLoss} in epoch {epoch}, batch {b + 1}; " +
                        $"lower --lr (now {options.LearningRate:G3}); the last good epoch is kept in {modelDir}");
                lossSum += stepLoss * idx.Length;
                correct += logits.argmax(1).eq(y).sum().item<long>();
                seen += idx.Length;
                batchProgress?.Report(new BatchProgress(epoch, options.Epochs, b + 1, nBatches, lossSum / seen, (double)correct / seen));
            }

            var scores = Scoring.Score(net, set, split.ValidationChunks, config.Normalization, Math.Max(bs, 64), cancel);
            double valAcc = Scoring.ChunkAccuracy(set, split.ValidationChunks, scores.Probabilities);
            double songAcc = Scoring.SongAccuracy(set, split.ValidationChunks, scores.Probabilities, options.SongAveraging);
            var report = new EpochReport(epoch, options.Epochs, lossSum / seen, (double)correct / seen, scores.MeanLoss, valAcc, songAcc,
                clock.Elapsed.TotalSeconds, false);
            history.Add(report);
            bool isBest = BestEpoch(history, options) == epoch;
            report = report with { IsBest = isBest };

            if (isBest)
            {
                ModelStore.SaveWeights(net, Path.Combine(modelDir, ModelStore.WeightsFile), new Dictionary<string, string> { ["epoch"] = epoch.ToString() });
                (config with { BestEpoch = epoch }).Save(Path.Combine(modelDir, ModelStore.ConfigFile));
            }
            SaveCheckpoint(modelDir, net, optimizer, new CheckpointState(epoch, options));
            history.Save(Path.Combine(modelDir, ModelStore.HistoryFile));
            TrainingPlots.Save(history, modelDir, config.Split);
            epochProgress?.Report(report);
        }
        return new Result(history, BestEpoch(history, options), Stopped: false, modelDir);
    }

    /// <summary>The epoch the recipe keeps: the best validation accuracy or the lowest validation loss (the first of equals).</summary>
    public static int BestEpoch(History history, TrainingOptions options) => options.KeepBest == BestEpochRule.ValLoss
        ? history.BestEpochByLoss() : history.BestEpoch();

    /// <summary>True when the last <paramref name="patience"/> epochs brought no lower validation loss.</summary>
    public static bool EarlyStop(History history, int patience) =>
        patience > 0 && history.Epochs > patience && history.BestEpochByLoss() <= history.Epochs - patience;

    /// <summary>Augments the batch's input in place (its memory is the tensor's); returns its soft targets.</summary>
    static Tensor Augment(Tensor x, ReadOnlySpan<Window> windows, FeatureSet set, TrainingOptions options, int genres, double dbPerUnit,
        Random random)
    {
        int n = windows.Length, h = (int)x.shape[2], w = (int)x.shape[3];
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = set.Songs[windows[i].Song].Label;
        var soft = new float[n * genres];
        options.Augmentation.Apply(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(x.bytes), n, h, w, labels, genres, soft, dbPerUnit, random);
        return tensor(soft, [n, genres]);
    }

    static Tensor Smooth(Tensor targets, double smoothing, int genres) =>
        smoothing == 0 ? targets : targets * (1 - smoothing) + smoothing / genres;

    static void SaveCheckpoint(string modelDir, GenreNet net, TorchSharp.Modules.OptimizerHelper optimizer, CheckpointState state)
    {
        string dir = Path.Combine(modelDir, ModelStore.CheckpointDir);
        StorageErrors.CreateDirectory(dir);
        ModelStore.SaveWeights(net, Path.Combine(dir, CheckpointWeights));
        AtomicFile.Write(Path.Combine(dir, CheckpointOptimizer), s =>
        {
            using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            optimizer.save_state_dict(w);
        });
        // state.json last: it names the epoch the other two files belong to
        AtomicFile.WriteAllText(Path.Combine(dir, CheckpointStateFile), JsonSerializer.Serialize(state, ModelConfig.Json) + "\n");
    }
}

/// <summary>split.json: which songs train, validate and test, so evaluation and resume reuse the exact split. Fixed
/// partitions also record the songs of the data they leave out (unused) and the files they name that were not there (missing).</summary>
public sealed record SplitRecord(string Kind, IReadOnlyList<string> Train, IReadOnlyList<string> Validation,
    IReadOnlyList<string>? Test = null, IReadOnlyList<string>? Unused = null, IReadOnlyList<string>? Missing = null)
{
    public static void Save(string path, FeatureSet set, SplitResult split)
    {
        List<string> SongsOf(int[] chunks) => chunks.Select(c => set.Songs[set.ChunkSong[c]].Key).Distinct().Order(StringComparer.Ordinal).ToList();
        var record = new SplitRecord(split.Kind.ToString().ToLowerInvariant(), SongsOf(split.TrainChunks), SongsOf(split.ValidationChunks),
            SongsOf(split.TestChunks), split.Unused, split.Missing);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, ModelConfig.Json) + "\n");
    }

    /// <summary>The recorded fixed partition applied to <paramref name="set"/> again.</summary>
    public SplitResult Recreate(FeatureSet set, SplitKind kind) => SongSplit.FromRecord(set, kind, Train, Validation, Test ?? []);

    public static SplitRecord Load(string path)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: split record not found");
        try { return JsonSerializer.Deserialize<SplitRecord>(File.ReadAllText(path), ModelConfig.Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new GenreException($"{path}: corrupt split record ({e.Message})"); }
    }
}
