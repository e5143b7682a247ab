using Genre.Audio;

namespace Genre.Features;

/// <summary>One chunk's feature image and where it sits in its song.</summary>
public sealed record FeatureChunk(int Index, double StartSeconds, double EndSeconds, float[] Image);

/// <summary>
/// The one feature pipeline used by prepare, train, predict and serve alike:
/// audio -> mono at the settings' rate -> chunks -> mel power -> dB (optional) -> bilinear resize.
/// Not thread-safe: one instance per thread (it owns its buffers).
/// </summary>
public sealed class FeatureExtractor
{
    readonly MelSpectrogram _mel;
    readonly BilinearResize? _resize;
    readonly float[] _chunk, _spectrogram;

    public FeatureSettings Settings { get; }
    /// <summary>When false, images are the raw Bands x Frames spectrogram (no resize).</summary>
    public bool Resize { get; }
    public int ImageHeight => Resize ? Settings.ImageHeight : Settings.NMels;
    public int ImageWidth => Resize ? Settings.ImageWidth : Settings.FramesPerChunk;

    /// <summary>Samples (at the settings' rate) read by the last extraction, once it has finished.</summary>
    public long SamplesRead { get; private set; }
    /// <summary>Largest absolute sample of the last extraction.</summary>
    public float Peak { get; private set; }

    public FeatureExtractor(FeatureSettings settings, bool resize = true)
    {
        Settings = settings.Validated();
        Resize = resize;
        _mel = new MelSpectrogram(settings);
        _chunk = new float[settings.ChunkLength];
        _spectrogram = new float[settings.NMels * settings.FramesPerChunk];
        if (resize) _resize = new BilinearResize(settings.NMels, settings.FramesPerChunk, settings.ImageHeight, settings.ImageWidth);
    }

    /// <summary>Feature images of every chunk of a file, streamed: memory holds one chunk at a time.</summary>
    public IEnumerable<FeatureChunk> ExtractFile(string path, CancellationToken cancel = default)
    {
        using var audio = AudioReader.Open(path, Settings.SampleRate);
        foreach (var chunk in Extract(audio, path, cancel)) yield return chunk;
    }

    /// <summary>Feature images of every chunk of an audio stream (already at the settings' rate).</summary>
    public IEnumerable<FeatureChunk> Extract(AudioStream audio, string source, CancellationToken cancel = default)
    {
        if (audio.SampleRate != Settings.SampleRate)
            throw new ArgumentException($"audio at {audio.SampleRate} Hz, features need {Settings.SampleRate} Hz");
        var reader = new ChunkReader(audio, Settings.ChunkLength, Settings.HopBetweenChunks);
        int index = 0;
        Peak = 0;
        while (reader.Next(_chunk))
        {
            TestHooks.Step(cancel);
            cancel.ThrowIfCancellationRequested();
            foreach (float v in _chunk)
            {
                if (!float.IsFinite(v))
                    throw new AudioFormatException($"{source}: contains NaN or infinite samples (near {reader.StartSeconds(index):F1} s); the file is corrupt");
                if (Math.Abs(v) > Peak) Peak = Math.Abs(v);
            }
            SamplesRead = reader.SamplesRead;
            double start = reader.StartSeconds(index);
            yield return new FeatureChunk(index, start, start + Settings.ChunkSeconds, Image(_chunk));
            index++;
        }
        SamplesRead = reader.SamplesRead;
        if (index == 0) throw new AudioFormatException($"{source}: contains no audio samples");
    }

    /// <summary>The feature image of one chunk of samples (length ChunkLength).</summary>
    public float[] Image(ReadOnlySpan<float> chunk)
    {
        _mel.Compute(chunk, _spectrogram);
        if (Settings.Scale == MelScale.Db) Decibels.FromPowerRelativeToMax(_spectrogram, Settings.TopDb);
        if (_resize is null) return (float[])_spectrogram.Clone();
        var image = new float[Settings.ImageSize];
        _resize.Apply(_spectrogram, image);
        return image;
    }
}
