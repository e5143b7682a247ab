namespace Genre.Features;

/// <summary>
/// The one chunking rule. Chunks of <c>chunk</c> samples start every <c>hop = chunk - overlap</c>;
/// their count is the tutorial's <c>ceil((len - chunk) / hop) + 1</c>. The last chunk is zero-padded
/// to full length; if the audio it really holds is shorter than half a chunk it is dropped, except
/// that a clip shorter than one chunk still gives one padded chunk.
/// </summary>
public static class Chunker
{
    /// <summary>Number of chunks for a signal of <paramref name="length"/> samples (0 only for empty audio).</summary>
    public static int Count(long length, int chunk, int hop)
    {
        if (length <= 0) return 0;
        if (length <= chunk) return 1;
        long count = (length - chunk + hop - 1) / hop + 1;
        long lastReal = length - (count - 1) * hop;
        if (lastReal * 2 < chunk) count--;
        return (int)count;
    }

    /// <summary>Cuts a whole signal (tests and small files; <see cref="ChunkReader"/> streams).</summary>
    public static float[][] Split(ReadOnlySpan<float> signal, int chunk, int hop)
    {
        int count = Count(signal.Length, chunk, hop);
        var chunks = new float[count][];
        for (int c = 0; c < count; c++)
        {
            chunks[c] = new float[chunk];
            int start = c * hop;
            signal.Slice(start, Math.Min(chunk, signal.Length - start)).CopyTo(chunks[c]);
        }
        return chunks;
    }
}

/// <summary>Cuts an audio stream into chunks as it is read, holding only one chunk of samples.</summary>
public sealed class ChunkReader(Audio.AudioStream audio, int chunk, int hop)
{
    readonly float[] _window = new float[chunk];
    int _filled;           // valid samples in _window
    long _consumed;        // samples read from the stream so far
    int _emitted;
    bool _ended;

    /// <summary>Seconds at which chunk <paramref name="index"/> starts.</summary>
    public double StartSeconds(int index) => (double)index * hop / audio.SampleRate;

    /// <summary>Total samples read so far (the whole length once <see cref="Next"/> returned false).</summary>
    public long SamplesRead => _consumed;

    /// <summary>Copies the next chunk into <paramref name="destination"/> (length chunk); false at the end.</summary>
    public bool Next(Span<float> destination)
    {
        if (_ended) return false;
        if (_emitted > 0)
        {
            // slide by hop: keep the overlap
            int keep = Math.Max(0, _filled - hop);
            _window.AsSpan(_filled - keep, keep).CopyTo(_window);
            _filled = keep;
        }
        while (_filled < chunk)
        {
            int n = audio.Read(_window.AsSpan(_filled));
            if (n == 0) break;
            _filled += n;
            _consumed += n;
        }
        if (_filled < chunk)
        {
            // end of stream: emit the last chunk only if the counting rule includes it
            _ended = true;
            if (_emitted >= Chunker.Count(_consumed, chunk, hop)) return false;
            _window.AsSpan(_filled).Clear();
        }
        _window.CopyTo(destination);
        _emitted++;
        return true;
    }
}
