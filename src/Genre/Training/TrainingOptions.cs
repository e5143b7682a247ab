using Genre.Data;

namespace Genre.Training;

/// <summary>All training settings in one place (bound by the CLI; defaults are the tutorial's).</summary>
public sealed record TrainingOptions
{
    /// <summary>Network: "seed" (the tutorial's) or "compact".</summary>
    public string Architecture { get; init; } = "seed";
    /// <summary>Passes over the training chunks. Default 30.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Chunks per optimiser step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Adam learning rate. Default 1e-4.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Share of songs (or chunks, for the leaky split) held out for validation. Default 0.2.</summary>
    public double ValidationFraction { get; init; } = 0.2;
    /// <summary>Seeds the split, the initial weights, the shuffling and dropout. Default 42.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>By song (honest, default) or by chunk (the tutorial's, leaky).</summary>
    public SplitKind Split { get; init; } = SplitKind.Songs;
    /// <summary>Arithmetic of the network during training (weights and optimiser stay float32). Default fp32.</summary>
    public Model.Precision Precision { get; init; } = Model.Precision.Fp32;
    /// <summary>The CSV (file,split) for <see cref="SplitKind.File"/>; unused otherwise.</summary>
    public string? SplitFile { get; init; }

    /// <summary>The fixed partition this split uses (filtered GTZAN or the split file), or null for the random splits.</summary>
    public Data.SplitFile? FixedPartition() => Split switch
    {
        SplitKind.Filtered => Data.SplitFile.GtzanFiltered(),
        SplitKind.File => Data.SplitFile.Read(SplitFile!),
        _ => null,
    };

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (!Model.Architecture.Names.Contains(Architecture)) p.Add($"--arch {Architecture} must be one of {string.Join(", ", Model.Architecture.Names)}");
        if (Epochs < 1 || Epochs > 100_000) p.Add($"--epochs {Epochs} must be at least 1");
        if (BatchSize < 1 || BatchSize > 65_536) p.Add($"--batch-size {BatchSize} must be 1..65536");
        if (!(LearningRate > 0 && LearningRate < 10)) p.Add($"--lr {LearningRate} must be positive (typical: 1e-4)");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) p.Add($"--val-fraction {ValidationFraction} must be between 0 and 1 (exclusive)");
        if (Split == SplitKind.File && string.IsNullOrEmpty(SplitFile)) p.Add("--split-file needs a CSV file (file,split)");
        return p;
    }
}
