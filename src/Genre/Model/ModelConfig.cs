using System.Text.Json;
using System.Text.Json.Serialization;
using Genre.Features;

namespace Genre.Model;

/// <summary>How feature values are mapped to the network's input: x' = (x + Offset) * Scale.</summary>
public sealed record InputNormalization(double Offset, double Scale)
{
    /// <summary>dB in [-topDb, 0] to [0, 1] (the FINDINGS' best input); power is fed raw, as in the tutorial.</summary>
    public static InputNormalization For(FeatureSettings s) =>
        s.Scale == MelScale.Db ? new InputNormalization(s.TopDb, 1 / s.TopDb) : new InputNormalization(0, 1);

    public void Apply(Span<float> values)
    {
        float offset = (float)Offset, scale = (float)Scale;
        if (offset == 0 && scale == 1) return;
        for (int i = 0; i < values.Length; i++) values[i] = (values[i] + offset) * scale;
    }
}

/// <summary>config.json of a MODEL_DIR: everything needed to rebuild the network and its input.</summary>
public sealed record ModelConfig
{
    /// <summary>Bumped when the layout of MODEL_DIR changes incompatibly; newer versions are refused.</summary>
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public string LibraryVersion { get; init; } = LibraryInfo.Version;
    public required string Architecture { get; init; }
    /// <summary>Genre labels in the network's output order.</summary>
    public required IReadOnlyList<string> Genres { get; init; }
    public required FeatureSettings Features { get; init; }
    public required InputNormalization Normalization { get; init; }
    /// <summary>"songs" (honest) or "chunks" (the tutorial's leaky split).</summary>
    public string Split { get; init; } = "songs";
    public int Seed { get; init; }
    /// <summary>Share held out for validation when the model was trained (re-creates a chunk split).</summary>
    public double ValidationFraction { get; init; } = 0.2;
    public int? BestEpoch { get; init; }
    /// <summary>How chunk probabilities are combined into a song's (prediction, evaluation, validation).</summary>
    public Training.SongAveraging SongAveraging { get; init; } = Training.SongAveraging.Probabilities;
    /// <summary>The recipe the model was trained with (informative).</summary>
    public string? Recipe { get; init; }
    /// <summary>Arithmetic the model was trained in (informative: the weights are float32 and run in either).</summary>
    public Precision TrainingPrecision { get; init; } = Precision.Fp32;
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    public Architecture BuildArchitecture() => Model.Architecture.Create(Architecture, Genres.Count, Features.InputHeight, Features.InputWidth);

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: not found (is this a model folder? make one with ./genre train or ./genre demo)");
        ModelConfig? config;
        try { config = JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new GenreException($"{path}: corrupt config ({e.Message})"); }
        if (config is null) throw new GenreException($"{path}: empty config");
        if (config.FormatVersion > CurrentFormatVersion)
            throw new GenreException($"{path}: model format version {config.FormatVersion} is newer than this program supports ({CurrentFormatVersion}); update genre");
        if (config.FormatVersion < 1) throw new GenreException($"{path}: format_version {config.FormatVersion} is invalid");
        if (config.Genres is null || config.Genres.Count < 2 || config.Genres.Distinct().Count() != config.Genres.Count)
            throw new GenreException($"{path}: 'genres' must list at least 2 distinct genres");
        if (config.Features is null) throw new GenreException($"{path}: 'features' is missing");
        var problems = config.Features.Problems();
        if (problems.Count > 0) throw new GenreException($"{path}: invalid feature settings: {string.Join("; ", problems)}");
        if (config.Normalization is null || !double.IsFinite(config.Normalization.Offset) || !double.IsFinite(config.Normalization.Scale))
            throw new GenreException($"{path}: 'normalization' is missing or not finite");
        if (!Model.Architecture.Names.Contains(config.Architecture))
            throw new GenreException($"{path}: unknown architecture '{config.Architecture}' (known: {string.Join(", ", Model.Architecture.Names)})");
        return config;
    }

    public void Save(string path) => Reports.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}

public static class LibraryInfo
{
    public static string Version { get; } =
        typeof(LibraryInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
