using System.CommandLine;
using Genre.Data;
using Genre.Features;
using Genre.Training;

namespace Genre.Cli;

/// <summary>
/// The training recipe on the command line, defined once for train and cv: --recipe picks a preset, every other
/// option overrides one field of it. Values are checked by the recipe's own validation, which names the option.
/// </summary>
public sealed class RecipeOptions
{
    readonly Option<string?> _arch = new("--arch") { Description = "Network: resnet, seed (the tutorial's, 7.2 M parameters) or compact" };
    readonly Option<int?> _epochs = new("--epochs") { Description = "Passes over the training songs (default: the recipe's; 30 for both)" };
    readonly Option<int?> _batch = new("--batch-size") { Description = "Chunks per step (32)" };
    readonly Option<double?> _lr = new("--lr") { Description = "Peak learning rate (default 2e-3, tutorial 1e-4)" };
    readonly Option<double?> _weightDecay = new("--weight-decay") { Description = "AdamW's decoupled weight decay; 0 is Adam (default 0.01, tutorial 0)" };
    readonly Option<double?> _smoothing = new("--label-smoothing") { Description = "Share of each target spread over all genres (default 0.1, tutorial 0)" };
    readonly Option<int?> _warmup = new("--warmup") { Description = "Epochs of linear learning-rate warm-up (default 3, tutorial 0)" };
    readonly Option<string?> _schedule = new("--schedule") { Description = "After the warm-up: cosine (default) or constant (tutorial)" };
    readonly Option<int?> _patience = new("--patience") { Description = "Stop after this many epochs without a lower validation loss; 0 = never (default)" };
    readonly Option<string?> _keepBest = new("--keep-best") { Description = "Epoch saved as the model: val-accuracy (default) or val-loss" };
    readonly Option<string?> _crops = new("--crops") { Description = "Training chunks: random (cut anywhere every epoch; default, song layout) or grid (fixed 2-s steps)" };
    readonly Option<int?> _timeMasks = new("--time-masks") { Description = "SpecAugment time masks per chunk (default 0; 2 is typical)" };
    readonly Option<int?> _timeMaskWidth = new("--time-mask-width") { Description = "Widest time mask, in columns (default 20)" };
    readonly Option<int?> _freqMasks = new("--freq-masks") { Description = "SpecAugment frequency masks per chunk (default 0; 2 is typical)" };
    readonly Option<int?> _freqMaskWidth = new("--freq-mask-width") { Description = "Widest frequency mask, in mel bands (default 16)" };
    readonly Option<double?> _mixup = new("--mixup")
    {
        Description = "Mixup's alpha, above 0 (typical 0.2-0.4), or 'off' (default)",
        CustomParser = r => r.Tokens.Single().Value.ToLowerInvariant() switch
        {
            "off" or "none" => 0,
            var v when double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double alpha) && alpha > 0 && alpha <= 100 => alpha,
            var v => FeatureOptions.Invalid<double?>(r, $"--mixup {v}: must be above 0 (typical 0.2-0.4), or 'off'"),
        },
    };
    readonly Option<double?> _gain = new("--gain") { Description = "Random level shift up to +-dB (default 0)" };
    readonly Option<double?> _tilt = new("--tilt") { Description = "Random spectral tilt up to +-dB across the bands (default 0; 10 is typical)" };
    readonly Option<string?> _songAverage = new("--song-average") { Description = "A song's genre from its chunks: probabilities (mean; default) or log (mean log-probability)" };
    readonly Option<double> _val = new("--val-fraction") { Description = "Share of songs held out for validation", DefaultValueFactory = _ => 0.2 };
    readonly Option<int> _seed = new("--seed") { Description = "Seed for split, weights, shuffling, augmentation and dropout", DefaultValueFactory = _ => 42 };
    readonly Option<string?> _initFrom = new("--init-from") { Description = "Start from this trained model's layers (transfer; a new head is made for the data's genres)" };
    readonly Option<bool> _freeze = new("--freeze") { Description = "With --init-from: train only the head" };
    readonly FeatureOptions _features = new();

    public RecipeOptions()
    {
        _arch.OneOf([.. Model.Architecture.Names]);
        _schedule.OneOf("cosine", "constant");
        _keepBest.OneOf("val-accuracy", "val-loss");
        _crops.OneOf("random", "grid");
        _songAverage.OneOf("probabilities", "log");
    }

    public void AddTo(Command command)
    {
        _features.AddTo(command);
        foreach (var option in new Option[] { _arch, _epochs, _batch, _lr, _weightDecay, _smoothing, _warmup, _schedule, _patience, _keepBest,
            _crops, _timeMasks, _timeMaskWidth, _freqMasks, _freqMaskWidth, _mixup, _gain, _tilt, _songAverage, _val, _seed, _initFrom, _freeze })
            command.Options.Add(option);
    }

    /// <summary>--epochs, which also extends a resumed run.</summary>
    public Option<int?> EpochsOption => _epochs;

    public Recipe Recipe(ParseResult r) => _features.Recipe(r);

    /// <summary>The recipe's training record with every option given on the command line; problems are usage errors.</summary>
    public TrainingOptions Training(ParseResult r)
    {
        var o = Recipe(r).Training;
        if (r.GetValue(_epochs) is { } epochs) o = o.WithEpochs(epochs); // a shorter run keeps the recipe's warm-up inside it
        var a = o.Augmentation;
        a = a with
        {
            TimeMasks = r.GetValue(_timeMasks) ?? a.TimeMasks, TimeMaskWidth = r.GetValue(_timeMaskWidth) ?? a.TimeMaskWidth,
            FrequencyMasks = r.GetValue(_freqMasks) ?? a.FrequencyMasks, FrequencyMaskWidth = r.GetValue(_freqMaskWidth) ?? a.FrequencyMaskWidth,
            MixupAlpha = r.GetValue(_mixup) ?? a.MixupAlpha, GainDb = r.GetValue(_gain) ?? a.GainDb, TiltDb = r.GetValue(_tilt) ?? a.TiltDb,
        };
        o = o with
        {
            Architecture = r.GetValue(_arch) ?? o.Architecture,
            BatchSize = r.GetValue(_batch) ?? o.BatchSize,
            LearningRate = r.GetValue(_lr) ?? o.LearningRate,
            WeightDecay = r.GetValue(_weightDecay) ?? o.WeightDecay,
            LabelSmoothing = r.GetValue(_smoothing) ?? o.LabelSmoothing,
            WarmupEpochs = r.GetValue(_warmup) ?? o.WarmupEpochs,
            Schedule = r.GetValue(_schedule) switch { "cosine" => LearningSchedule.Cosine, "constant" => LearningSchedule.Constant, _ => o.Schedule },
            Patience = r.GetValue(_patience) ?? o.Patience,
            KeepBest = r.GetValue(_keepBest) switch { "val-loss" => BestEpochRule.ValLoss, "val-accuracy" => BestEpochRule.ValAccuracy, _ => o.KeepBest },
            RandomCrops = r.GetValue(_crops) switch { "random" => true, "grid" => false, _ => o.RandomCrops },
            Augmentation = a,
            SongAveraging = r.GetValue(_songAverage) switch { "log" => SongAveraging.Log, "probabilities" => SongAveraging.Probabilities, _ => o.SongAveraging },
            ValidationFraction = r.GetValue(_val),
            Seed = r.GetValue(_seed),
            InitFrom = r.GetValue(_initFrom),
            Freeze = r.GetValue(_freeze),
        };
        var problems = o.Problems();
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
        return o;
    }

    public FeatureSettings Features(ParseResult r) => _features.Features(r);

    public bool HasFeatureOptions(ParseResult r) => _features.HasFeatureOptions(r);

    /// <summary>Refuses to train a recipe on a cache made for another one (a song-layout cache and the seed network, say).</summary>
    public static void CheckCache(string? cacheDir, FeatureSet set, Recipe recipe, TrainingOptions options)
    {
        if (cacheDir is null) return;
        var f = set.Settings;
        if (f.Layout != recipe.Features.Layout || f.InputHeight != recipe.Features.InputHeight || f.InputWidth != recipe.Features.InputWidth)
            throw new GenreException($"{cacheDir}: holds {Describe(f)} features; recipe '{recipe.Name}' trains on {Describe(recipe.Features)} features: " +
                $"prepare a cache with ./genre prepare --recipe {recipe.Name}, or give --data");
        var problems = options.ProblemsWith(f);
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
    }

    static string Describe(FeatureSettings f) =>
        $"{(f.Layout == FeatureLayout.Song ? "song-layout" : "chunk-layout")} {f.InputHeight}x{f.InputWidth}";
}

/// <summary>The recipe and the feature options, defined once for prepare, train and cv (they apply to --data; a cache holds its own).</summary>
public sealed class FeatureOptions
{
    readonly Option<string> _recipe = new("--recipe")
    {
        Description = "Preset: default (resnet, random 2-s windows, augmentation, AdamW + cosine) or tutorial (the Keras tutorial's seed recipe)",
        DefaultValueFactory = _ => Recipes.Default.Name,
    };
    // features, for --data (a cache holds its own)
    readonly Option<MelScale?> _scale = new("--scale")
    {
        Description = "With --data: mel values 'db' (default) or 'power' (the tutorial's chunk layout only)",
        CustomParser = r => r.Tokens.Single().Value.ToLowerInvariant() switch
        {
            "db" => MelScale.Db,
            "power" => MelScale.Power,
            var v => Invalid<MelScale?>(r, $"--scale {v}: choose db or power"),
        },
    };
    readonly Option<string?> _layout = new("--layout") { Description = "With --data: song (whole-song features cut into windows; default) or chunks (the tutorial's chunk images)" };
    readonly Option<bool?> _native = new("--native") { Description = "With --data and --layout chunks: keep chunks at their native size (128 x frames) instead of 150x150" };
    readonly Option<double?> _chunkSeconds = new("--chunk-seconds") { Description = "With --data: chunk length in seconds (default 2, tutorial 4)" };


    public FeatureOptions()
    {
        _recipe.OneOf([.. Recipes.Names]);
        _layout.OneOf("song", "chunks");
    }

    internal static T Invalid<T>(System.CommandLine.Parsing.ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _recipe, _scale, _layout, _native, _chunkSeconds }) command.Options.Add(option);
    }

    public Recipe Recipe(ParseResult r) => Recipes.Get(r.GetValue(_recipe)!);

    /// <summary>The features to compute from --data: the recipe's, with the feature options given.</summary>
    public FeatureSettings Features(ParseResult r)
    {
        var f = Recipe(r).Features;
        var layout = r.GetValue(_layout) switch { "song" => FeatureLayout.Song, "chunks" => FeatureLayout.Chunks, _ => f.Layout };
        if (layout != f.Layout) f = layout == FeatureLayout.Song ? FeatureSettings.Default : FeatureSettings.Tutorial;
        double chunk = r.GetValue(_chunkSeconds) ?? f.ChunkSeconds;
        if (!(chunk > 0 && chunk <= 600)) throw new UsageException($"--chunk-seconds {chunk} must be in (0, 600]");
        f = f with
        {
            Scale = r.GetValue(_scale) ?? f.Scale,
            Native = r.GetValue(_native) ?? f.Native,
            ChunkSeconds = chunk,
            OverlapSeconds = chunk * f.OverlapSeconds / f.ChunkSeconds, // the recipe's share of overlap (half)
        };
        var problems = f.Problems();
        if (problems.Count > 0) throw new UsageException("feature options: " + string.Join("; ", problems));
        return f;
    }

    /// <summary>True when any feature option was given (they apply to --data and prepare only).</summary>
    public bool HasFeatureOptions(ParseResult r) =>
        r.GetValue(_scale) is not null || r.GetValue(_layout) is not null || r.GetValue(_native) is not null || r.GetValue(_chunkSeconds) is not null;

}
