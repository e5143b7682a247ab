namespace Genre.Audio;

/// <summary>
/// Decoded audio read block by block as mono float samples (channels averaged, as librosa does),
/// so that hours of audio never need to sit in memory at once.
/// </summary>
public abstract class AudioStream : IDisposable
{
    /// <summary>Sample rate in Hz of the samples <see cref="Read"/> returns.</summary>
    public abstract int SampleRate { get; }

    /// <summary>Channels in the source before down-mixing (informative).</summary>
    public abstract int Channels { get; }

    /// <summary>Fills <paramref name="mono"/> with up to its length of mono samples; returns how many, 0 at the end.</summary>
    public abstract int Read(Span<float> mono);

    /// <summary>Reads everything that is left (for short files and tests).</summary>
    public float[] ReadToEnd()
    {
        var all = new float[1 << 16];
        int count = 0, n;
        while ((n = Read(all.AsSpan(count))) > 0)
        {
            count += n;
            if (count == all.Length) Array.Resize(ref all, all.Length * 2);
        }
        return all[..count];
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Shared by decoders that deliver interleaved float frames: averages channels into mono.</summary>
public abstract class InterleavedAudioStream : AudioStream
{
    float[] _interleaved = [];

    /// <summary>Reads up to <paramref name="frames"/> interleaved frames into <paramref name="buffer"/>; returns frames read.</summary>
    protected abstract int ReadInterleaved(float[] buffer, int frames);

    /// <summary>Interleaved samples decoded per call of <see cref="ReadInterleaved"/>: bounds the buffers whatever
    /// the caller asks for and however many channels a (possibly hostile) header claims.</summary>
    const int MaxSamplesPerBlock = 1 << 16;

    public override int Read(Span<float> mono)
    {
        int channels = Channels;
        int blockFrames = Math.Max(1, Math.Min(mono.Length, MaxSamplesPerBlock / channels));
        if (_interleaved.Length < blockFrames * channels) _interleaved = new float[blockFrames * channels];
        int total = 0;
        while (total < mono.Length)
        {
            int want = Math.Min(blockFrames, mono.Length - total);
            int frames = ReadInterleaved(_interleaved, want);
            Downmix.ToMono(_interleaved.AsSpan(0, frames * channels), channels, mono.Slice(total, frames));
            total += frames;
            if (frames < want) break; // short read: end of data, or the decoder has no more ready now
        }
        return total;
    }
}

/// <summary>Mono down-mix: the mean of the channels of each frame.</summary>
public static class Downmix
{
    public static void ToMono(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        if (channels == 1) { interleaved.CopyTo(mono); return; }
        float scale = 1f / channels;
        for (int f = 0; f < mono.Length; f++)
        {
            float sum = 0;
            var frame = interleaved.Slice(f * channels, channels);
            for (int c = 0; c < channels; c++) sum += frame[c];
            mono[f] = sum * scale;
        }
    }
}

/// <summary>An audio stream over samples already in memory.</summary>
public sealed class MemoryAudioStream(float[] samples, int sampleRate) : AudioStream
{
    int _position;
    public override int SampleRate => sampleRate;
    public override int Channels => 1;
    public override int Read(Span<float> mono)
    {
        int n = Math.Min(mono.Length, samples.Length - _position);
        samples.AsSpan(_position, n).CopyTo(mono);
        _position += n;
        return n;
    }
}
