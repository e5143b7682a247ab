using Genre.Data;

namespace Genre.Training;

/// <summary>How chunk probabilities become a song's: their mean, or the normalised geometric mean (mean of log-probabilities).</summary>
public enum SongAveraging
{
    /// <summary>Arithmetic mean of the chunks' probabilities (the tutorial's).</summary>
    Probabilities,
    /// <summary>softmax of the mean of the chunks' log-probabilities: one confident chunk weighs more, a doubtful one less.</summary>
    Log,
}

/// <summary>
/// A training recipe: network, optimiser, schedule, augmentation and stopping rule in one record, validated
/// and stored with the checkpoint. <see cref="Recipes"/> names the presets; the CLI overrides single fields.
/// The property defaults are the tutorial's, so a record from before a field existed keeps its meaning.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The preset this record started from (informative).</summary>
    public string Recipe { get; init; } = "tutorial";
    /// <summary>Network: "seed" (the tutorial's), "compact" or "resnet".</summary>
    public string Architecture { get; init; } = "seed";
    /// <summary>Passes over the training songs (each song gives as many chunks as its grid has). Default 30.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Chunks per optimiser step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Peak learning rate. Default 1e-4.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Decoupled weight decay (AdamW); 0 is plain Adam.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Label smoothing: the target gives this share evenly to every genre. 0 = none.</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>Epochs of linear warm-up from 0 to the learning rate.</summary>
    public int WarmupEpochs { get; init; }
    /// <summary>After the warm-up: constant, or a half cosine down to 0 at the last epoch.</summary>
    public LearningSchedule Schedule { get; init; } = LearningSchedule.Constant;
    /// <summary>Stop after this many epochs without a lower validation loss; 0 never stops early.</summary>
    public int Patience { get; init; }
    /// <summary>The epoch kept as model.safetensors: the best validation accuracy (the first of equals) or the lowest validation loss.</summary>
    public BestEpochRule KeepBest { get; init; } = BestEpochRule.ValAccuracy;
    /// <summary>Song layout: cut each training chunk at a random frame every epoch instead of on the fixed grid.</summary>
    public bool RandomCrops { get; init; }
    /// <summary>Transforms of each training batch.</summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;
    /// <summary>How a song's genre is read from its chunks (validation, evaluation and prediction).</summary>
    public SongAveraging SongAveraging { get; init; } = SongAveraging.Probabilities;
    /// <summary>Share of songs (or chunks, for the leaky split) held out for validation. Default 0.2.</summary>
    public double ValidationFraction { get; init; } = 0.2;
    /// <summary>Seeds the split, the initial weights, the shuffling, augmentation and dropout. Default 42.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>By song (honest, default) or by chunk (the tutorial's, leaky).</summary>
    public SplitKind Split { get; init; } = SplitKind.Songs;
    /// <summary>Arithmetic of the network during training (weights and optimiser stay float32). Default fp32.</summary>
    public Model.Precision Precision { get; init; } = Model.Precision.Fp32;
    /// <summary>The CSV (file,split) for <see cref="SplitKind.File"/>; unused otherwise.</summary>
    public string? SplitFile { get; init; }
    /// <summary>A trained model whose convolutional layers start this one (transfer); its head is not taken.</summary>
    public string? InitFrom { get; init; }
    /// <summary>With <see cref="InitFrom"/>: train only the head; the convolutional layers stay as loaded.</summary>
    public bool Freeze { get; init; }

    /// <summary>This recipe run for <paramref name="epochs"/> epochs, its warm-up kept inside the run.</summary>
    public TrainingOptions WithEpochs(int epochs) => this with { Epochs = epochs, WarmupEpochs = Math.Min(WarmupEpochs, Math.Max(0, epochs - 1)) };

    /// <summary>The fixed partition this split uses (filtered GTZAN or the split file), or null for the random splits.</summary>
    public Data.SplitFile? FixedPartition() => Split switch
    {
        SplitKind.Filtered => Data.SplitFile.GtzanFiltered(),
        SplitKind.File => Data.SplitFile.Read(SplitFile!),
        _ => null,
    };

    /// <summary>Every problem at once, each naming its command-line option.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (!Model.Architecture.Names.Contains(Architecture)) p.Add($"--arch {Architecture} must be one of {string.Join(", ", Model.Architecture.Names)}");
        if (Epochs < 1 || Epochs > 100_000) p.Add($"--epochs {Epochs} must be at least 1");
        if (BatchSize < 1 || BatchSize > 65_536) p.Add($"--batch-size {BatchSize} must be 1..65536");
        if (!(LearningRate > 0 && LearningRate < 10)) p.Add($"--lr {LearningRate} must be positive (typical: 1e-4 to 3e-3)");
        if (!(WeightDecay >= 0 && WeightDecay < 1)) p.Add($"--weight-decay {WeightDecay} must be in [0, 1)");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) p.Add($"--label-smoothing {LabelSmoothing} must be in [0, 1)");
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs) p.Add($"--warmup {WarmupEpochs} must be 0 or more and fewer than --epochs ({Epochs})");
        if (Patience < 0) p.Add($"--patience {Patience} must be 0 (never stop early) or more");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) p.Add($"--val-fraction {ValidationFraction} must be between 0 and 1 (exclusive)");
        if (Split == SplitKind.File && string.IsNullOrEmpty(SplitFile)) p.Add("--split-file needs a CSV file (file,split)");
        if (Freeze && InitFrom is null) p.Add("--freeze needs --init-from MODEL_DIR (the layers to keep)");
        p.AddRange(Augmentation.Problems());
        return p;
    }

    /// <summary>Problems of this recipe with features of <paramref name="features"/> (random crops and level changes need
    /// the song layout's dB features).</summary>
    public IReadOnlyList<string> ProblemsWith(Features.FeatureSettings features)
    {
        var p = new List<string>();
        if (RandomCrops && features.Layout != Features.FeatureLayout.Song)
            p.Add("--crops random needs whole-song features (the song layout); prepare with --layout song, or train with --crops grid");
        if ((Augmentation.GainDb > 0 || Augmentation.TiltDb > 0) && features.Scale != Features.MelScale.Db)
            p.Add("--gain and --tilt need dB features (--scale db)");
        return p;
    }
}

public enum LearningSchedule { Constant, Cosine }

public enum BestEpochRule { ValAccuracy, ValLoss }
