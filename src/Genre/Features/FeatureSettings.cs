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

/// <summary>Where chunks are cut, and so what a feature cache holds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeatureLayout>))]
public enum FeatureLayout
{
    /// <summary>The tutorial's: each chunk of audio gets its own mel spectrogram, resized to ImageHeight x ImageWidth;
    /// the cache holds the chunk images (fixed 2-s grid).</summary>
    Chunks,
    /// <summary>One mel spectrogram per song (dB); chunks are windows of its frames at native size (NMels x FramesPerChunk),
    /// each scaled to its own maximum. Training cuts them at random offsets, prediction on the fixed grid.</summary>
    Song,
}

/// <summary>
/// Every setting from audio file to network input. Stored with each feature cache and each model,
/// so prediction computes exactly the features a model was trained on. Defaults are librosa's
/// (0.10) and the tutorial's; <see cref="Scale"/> defaults to dB, which trains better (FINDINGS).
/// </summary>
public sealed record FeatureSettings
{
    /// <summary>Chunk images (the tutorial's) or whole-song features cut into windows. A missing value reads as
    /// <see cref="FeatureLayout.Chunks"/>, so models and caches made before the layout existed load as they were.</summary>
    public FeatureLayout Layout { get; init; } = FeatureLayout.Chunks;
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
    /// <summary>Chunk layout: network input height (mel axis) after the bilinear resize. Default 150.</summary>
    public int ImageHeight { get; init; } = 150;
    /// <summary>Chunk layout: network input width (time axis) after the bilinear resize. Default 150.</summary>
    public int ImageWidth { get; init; } = 150;
    /// <summary>Chunk layout: keep each chunk's mel spectrogram at its native size (NMels x FramesPerChunk) instead of
    /// resizing it. The song layout is always native.</summary>
    public bool Native { get; init; }

    [JsonIgnore] public int ChunkLength => (int)Math.Round(ChunkSeconds * SampleRate);
    [JsonIgnore] public int HopBetweenChunks => ChunkLength - (int)Math.Round(OverlapSeconds * SampleRate);
    [JsonIgnore] public int FramesPerChunk => 1 + ChunkLength / HopLength;
    [JsonIgnore] public double MaxFrequencyHz => FMaxHz ?? SampleRate / 2.0;
    /// <summary>Song layout: frames between the starts of two grid windows.</summary>
    [JsonIgnore] public int HopFrames => Math.Max(1, (int)Math.Round((double)HopBetweenChunks / HopLength));
    /// <summary>True when chunks are the mel spectrogram as computed, without a resize.</summary>
    [JsonIgnore] public bool IsNative => Layout == FeatureLayout.Song || Native;
    /// <summary>Rows of the network's input (mel bands).</summary>
    [JsonIgnore] public int InputHeight => IsNative ? NMels : ImageHeight;
    /// <summary>Columns of the network's input (time).</summary>
    [JsonIgnore] public int InputWidth => IsNative ? FramesPerChunk : ImageWidth;
    [JsonIgnore] public int InputSize => InputHeight * InputWidth;

    /// <summary>The tutorial's features: 4-s chunks every 2 s, each its own mel spectrogram in dB, resized to 150x150.</summary>
    public static FeatureSettings Tutorial { get; } = new();

    /// <summary>The default: whole-song mel spectrograms in dB, cut into 2-s windows (128 x 87) every second.
    /// Chosen by cross-validation on real music (docs/accuracy.md).</summary>
    public static FeatureSettings Default { get; } = new() { Layout = FeatureLayout.Song, ChunkSeconds = 2, OverlapSeconds = 1 };

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
        if (Layout == FeatureLayout.Song && Scale != MelScale.Db) p.Add("the song layout needs dB features (power is the tutorial's chunk layout)");
        if (IsNative && FramesPerChunk < 8) p.Add($"chunks of {ChunkSeconds} s give {FramesPerChunk} frames; at least 8 are needed");
        return p;
    }

    public FeatureSettings Validated()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new GenreException("invalid feature settings: " + string.Join("; ", problems));
        return this;
    }
}
