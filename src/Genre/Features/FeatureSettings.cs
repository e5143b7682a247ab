using System.Text.Json.Serialization;

namespace Genre.Features;

/// <summary>How mel power values are presented to the network.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MelScale>))]
public enum MelScale
{
    /// <summary>Raw mel power, as the original tutorial fed it.</summary>
    Power,
    /// <summary>Decibels relative to the chunk's maximum, floored at -TopDb (librosa's power_to_db(S, ref=np.max)).</summary>
    Db,
}

/// <summary>
/// Every setting from audio file to network input. Stored with each feature cache and each model,
/// so prediction computes exactly the features a model was trained on. Defaults are librosa's
/// (0.10) and the tutorial's; <see cref="Scale"/> defaults to dB, which trains better (FINDINGS).
/// </summary>
public sealed record FeatureSettings
{
    /// <summary>Sample rate in Hz that all audio is resampled to. Default 22050.</summary>
    public int SampleRate { get; init; } = 22050;
    /// <summary>Chunk length in seconds. Default 4.</summary>
    public double ChunkSeconds { get; init; } = 4;
    /// <summary>Overlap of consecutive chunks in seconds. Default 2.</summary>
    public double OverlapSeconds { get; init; } = 2;
    /// <summary>FFT length in samples (power of two). Default 2048.</summary>
    public int NFft { get; init; } = 2048;
    /// <summary>Frame hop in samples. Default 512.</summary>
    public int HopLength { get; init; } = 512;
    /// <summary>Number of mel bands. Default 128.</summary>
    public int NMels { get; init; } = 128;
    /// <summary>Lowest mel frequency in Hz. Default 0.</summary>
    public double FMinHz { get; init; }
    /// <summary>Highest mel frequency in Hz; null means SampleRate/2.</summary>
    public double? FMaxHz { get; init; }
    /// <summary>Power or dB. Default dB.</summary>
    public MelScale Scale { get; init; } = MelScale.Db;
    /// <summary>Dynamic range kept by the dB scale, in dB. Default 80.</summary>
    public double TopDb { get; init; } = 80;
    /// <summary>Network input height (mel axis) after the bilinear resize. Default 150.</summary>
    public int ImageHeight { get; init; } = 150;
    /// <summary>Network input width (time axis) after the bilinear resize. Default 150.</summary>
    public int ImageWidth { get; init; } = 150;

    [JsonIgnore] public int ChunkLength => (int)Math.Round(ChunkSeconds * SampleRate);
    [JsonIgnore] public int HopBetweenChunks => ChunkLength - (int)Math.Round(OverlapSeconds * SampleRate);
    [JsonIgnore] public int FramesPerChunk => 1 + ChunkLength / HopLength;
    [JsonIgnore] public double MaxFrequencyHz => FMaxHz ?? SampleRate / 2.0;
    [JsonIgnore] public int ImageSize => ImageHeight * ImageWidth;

    public static FeatureSettings Default { get; } = new();

    /// <summary>Every problem at once, as "name=value must ..." lines (empty when valid).</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (SampleRate < 1000 || SampleRate > 384_000) p.Add($"sample rate {SampleRate} must be 1000..384000 Hz");
        if (!(ChunkSeconds > 0) || ChunkSeconds > 600) p.Add($"chunk length {ChunkSeconds} s must be in (0, 600]");
        if (!(OverlapSeconds >= 0) || OverlapSeconds >= ChunkSeconds) p.Add($"overlap {OverlapSeconds} s must be >= 0 and shorter than the chunk ({ChunkSeconds} s)");
        if (NFft < 16 || NFft > 65536 || (NFft & (NFft - 1)) != 0) p.Add($"n_fft={NFft} must be a power of two in 16..65536");
        if (HopLength < 1 || HopLength > NFft) p.Add($"hop_length={HopLength} must be 1..n_fft");
        if (NMels < 1 || NMels > 1024) p.Add($"n_mels={NMels} must be 1..1024");
        if (!(FMinHz >= 0) || !(MaxFrequencyHz > FMinHz) || MaxFrequencyHz > SampleRate / 2.0)
            p.Add($"mel range {FMinHz}..{MaxFrequencyHz} Hz must satisfy 0 <= fmin < fmax <= sample_rate/2");
        if (!(TopDb > 0)) p.Add($"top_db={TopDb} must be positive");
        if (ImageHeight < 8 || ImageWidth < 8 || ImageHeight > 2048 || ImageWidth > 2048)
            p.Add($"image size {ImageHeight}x{ImageWidth} must be 8..2048 on each side");
        return p;
    }

    public FeatureSettings Validated()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new GenreException("invalid feature settings: " + string.Join("; ", problems));
        return this;
    }
}
