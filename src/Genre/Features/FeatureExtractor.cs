using Genre.Audio;

namespace Genre.Features;

/// <summary>One chunk's feature image and where it sits in its song.</summary>
public sealed record FeatureChunk(int Index, double StartSeconds, double EndSeconds, float[] Image);

/// <summary>A song's whole mel spectrogram in dB ([band][frame]), as the song layout caches it.</summary>
public sealed record SongMel(float[] Values, int Bands, int Frames);

/// <summary>
/// The one feature pipeline used by prepare, train, predict and serve alike. Chunk layout (the tutorial's):
/// audio -> mono at the settings' rate -> chunks -> mel power -> dB (optional) -> bilinear resize. Song layout:
/// audio -> mono -> the song's mel frames in dB -> windows on the grid, each relative to its maximum (<see cref="SongWindows"/>).
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
    public int ImageHeight => Resize ? Settings.InputHeight : Settings.NMels;
    public int ImageWidth => Resize ? Settings.InputWidth : Settings.FramesPerChunk;

    /// <summary>Samples (at the settings' rate) read by the last extraction, once it has finished.</summary>
    public long SamplesRead { get; private set; }
    /// <summary>Largest absolute sample of the last extraction.</summary>
    public float Peak { get; private set; }

    public FeatureExtractor(FeatureSettings settings, bool resize = true)
    {
        Settings = settings.Validated();
        Resize = resize && !settings.IsNative;
        _mel = new MelSpectrogram(settings);
        _chunk = new float[settings.Layout == FeatureLayout.Chunks ? settings.ChunkLength : 0];
        _spectrogram = new float[settings.NMels * settings.FramesPerChunk];
        if (Resize) _resize = new BilinearResize(settings.NMels, settings.FramesPerChunk, settings.ImageHeight, settings.ImageWidth);
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
        return Settings.Layout == FeatureLayout.Song ? ExtractWindows(audio, source, cancel) : ExtractChunks(audio, source, cancel);
    }

    IEnumerable<FeatureChunk> ExtractChunks(AudioStream audio, string source, CancellationToken cancel)
    {
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

    /// <summary>
    /// Song layout: the grid windows, streamed. Frames arrive one by one; a window goes out as soon as its frames
    /// are in, and only the frames from the last window's start on are kept (at most one window and one hop), so
    /// memory stays small whatever the length. The last window(s), moved back to end with the song, come once its
    /// length is known.
    /// </summary>
    IEnumerable<FeatureChunk> ExtractWindows(AudioStream audio, string source, CancellationToken cancel)
    {
        var s = Settings;
        int bands = s.NMels, width = s.FramesPerChunk, hop = s.HopFrames;
        var frames = new MelFrameStream(audio, s, source);
        var kept = new float[(width + hop) * bands]; // frames [keptFrom, keptFrom + keptCount), [frame][band]
        int keptFrom = 0, keptCount = 0, emitted = 0;
        var column = new float[bands];
        var window = new float[bands * width];
        Peak = 0;
        FeatureChunk Window(int start)
        {
            // [frame][band] -> [band][column], then relative to the window's maximum
            int real = Math.Min(width, keptFrom + keptCount - start);
            for (int t = 0; t < real; t++)
                for (int b = 0; b < bands; b++) window[b * width + t] = kept[(start - keptFrom + t) * bands + b];
            for (int b = 0; b < bands; b++) window.AsSpan(b * width + real, width - real).Fill(float.NegativeInfinity);
            Decibels.RelativeToMax(window, s.TopDb);
            double from = SongWindows.Seconds(s, start);
            return new FeatureChunk(emitted++, from, from + s.ChunkSeconds, (float[])window.Clone());
        }
        while (true)
        {
            TestHooks.Step(cancel);
            cancel.ThrowIfCancellationRequested();
            if (keptCount == width + hop) // full: drop a hop of frames nobody needs any more
            {
                kept.AsSpan(hop * bands).CopyTo(kept);
                keptFrom += hop;
                keptCount -= hop;
            }
            if (!frames.Next(column)) break;
            column.CopyTo(kept.AsSpan(keptCount * bands, bands));
            keptCount++;
            int next = emitted * hop;
            if (next + width == keptFrom + keptCount) yield return Window(next);
        }
        Peak = frames.Peak;
        SamplesRead = frames.SamplesRead;
        if (SamplesRead == 0) throw new AudioFormatException($"{source}: contains no audio samples");
        int total = (int)frames.Frames, count = SongWindows.Count(s, total);
        while (emitted < count) yield return Window(SongWindows.Start(s, total, emitted));
    }

    /// <summary>Song layout: the whole song's dB mel spectrogram, for the cache (training cuts its own windows).</summary>
    public SongMel ExtractSong(string path, CancellationToken cancel = default)
    {
        using var audio = AudioReader.Open(path, Settings.SampleRate);
        var frames = new MelFrameStream(audio, Settings, path);
        var columns = new List<float[]>();
        while (true)
        {
            TestHooks.Step(cancel);
            cancel.ThrowIfCancellationRequested();
            var column = new float[Settings.NMels];
            if (!frames.Next(column)) break;
            columns.Add(column);
        }
        Peak = frames.Peak;
        SamplesRead = frames.SamplesRead;
        if (SamplesRead == 0) throw new AudioFormatException($"{path}: contains no audio samples");
        int n = columns.Count, bands = Settings.NMels;
        var values = new float[bands * n];
        for (int t = 0; t < n; t++)
            for (int b = 0; b < bands; b++) values[b * n + t] = columns[t][b];
        return new SongMel(values, bands, n);
    }

    /// <summary>The feature image of one chunk of samples (length ChunkLength).</summary>
    public float[] Image(ReadOnlySpan<float> chunk)
    {
        _mel.Compute(chunk, _spectrogram);
        if (Settings.Scale == MelScale.Db) Decibels.FromPowerRelativeToMax(_spectrogram, Settings.TopDb);
        if (_resize is null) return (float[])_spectrogram.Clone();
        var image = new float[Settings.ImageHeight * Settings.ImageWidth];
        _resize.Apply(_spectrogram, image);
        return image;
    }
}
