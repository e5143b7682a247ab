namespace Genre.Features;

/// <summary>
/// The song layout's chunks: windows of <c>FramesPerChunk</c> frames of a song's whole mel spectrogram
/// (dB, [band][frame]). The grid follows the one chunking rule (<see cref="Chunker.Count"/>, in frames):
/// a window every <c>HopFrames</c>, except that the last one is moved back to end with the song instead
/// of being padded; only a song shorter than one window is padded (at the floor, -TopDb). Each window
/// is scaled to its own maximum, so the network never sees the song's loudness.
/// </summary>
public static class SongWindows
{
    /// <summary>Grid windows of a song of <paramref name="frames"/> frames.</summary>
    public static int Count(FeatureSettings s, int frames) => Chunker.Count(frames, s.FramesPerChunk, s.HopFrames);

    /// <summary>First frame of grid window <paramref name="index"/>.</summary>
    public static int Start(FeatureSettings s, int frames, int index) =>
        Math.Max(0, Math.Min(index * s.HopFrames, frames - s.FramesPerChunk));

    /// <summary>The latest first frame of a window (training draws its offsets from 0..this).</summary>
    public static int LastStart(FeatureSettings s, int frames) => Math.Max(0, frames - s.FramesPerChunk);

    /// <summary>Seconds at which a window starting at <paramref name="frame"/> begins.</summary>
    public static double Seconds(FeatureSettings s, int frame) => (double)frame * s.HopLength / s.SampleRate;

    /// <summary>
    /// Cuts the window starting at <paramref name="start"/> out of a song's dB spectrogram <paramref name="mel"/>
    /// ([band][frame], <paramref name="frames"/> frames) into <paramref name="image"/> ([band][column], FramesPerChunk
    /// columns) as dB relative to the window's maximum, floored at -TopDb: the network's input before normalisation.
    /// </summary>
    public static void Cut(FeatureSettings s, ReadOnlySpan<float> mel, int frames, int start, Span<float> image)
    {
        int width = s.FramesPerChunk, bands = s.NMels;
        if (mel.Length != bands * frames) throw new ArgumentException($"mel of {mel.Length} values is not {bands}x{frames}");
        if (image.Length != bands * width) throw new ArgumentException($"image of {image.Length} values is not {bands}x{width}");
        if (start < 0 || (frames >= width ? start + width > frames : start != 0)) throw new ArgumentOutOfRangeException(nameof(start));
        int real = Math.Min(width, frames - start);
        for (int b = 0; b < bands; b++)
        {
            mel.Slice(b * frames + start, real).CopyTo(image.Slice(b * width, real));
            image.Slice(b * width + real, width - real).Fill(float.NegativeInfinity); // below any floor
        }
        Decibels.RelativeToMax(image, s.TopDb);
    }
}

/// <summary>
/// A song's mel spectrogram in dB (against a power of 1), frame by frame as the audio is read: exactly the
/// frames of <see cref="MelSpectrogram.Compute"/> over the whole song (centred, zero padding at both ends),
/// holding only one frame's samples.
/// </summary>
public sealed class MelFrameStream(Audio.AudioStream audio, FeatureSettings settings, string source)
{
    readonly MelSpectrogram _mel = new(settings);
    readonly int _nFft = settings.NFft, _hop = settings.HopLength;
    // samples [_bufferStart, _bufferStart + _filled) of the song; a frame needs n_fft of them
    readonly float[] _buffer = new float[settings.NFft + settings.HopLength];
    long _bufferStart;
    int _filled;
    long _frame;
    bool _ended;

    /// <summary>Samples read so far (the song's length once <see cref="Next"/> returned false).</summary>
    public long SamplesRead { get; private set; }
    /// <summary>Largest absolute sample read so far.</summary>
    public float Peak { get; private set; }
    /// <summary>Frames returned so far.</summary>
    public long Frames => _frame;

    /// <summary>The next frame's NMels dB values into <paramref name="column"/>; false after the last frame (1 + length / hop).</summary>
    public bool Next(Span<float> column)
    {
        long start = _frame * _hop - _nFft / 2;
        // discard what no later frame needs, then read until this frame's samples are in (or the song ended)
        long keepFrom = Math.Max(0, start);
        if (keepFrom > _bufferStart)
        {
            int drop = (int)Math.Min(_filled, keepFrom - _bufferStart);
            _buffer.AsSpan(drop, _filled - drop).CopyTo(_buffer);
            _filled -= drop;
            _bufferStart += drop;
        }
        while (!_ended && _bufferStart + _filled < start + _nFft)
        {
            int n = audio.Read(_buffer.AsSpan(_filled));
            if (n == 0) { _ended = true; break; }
            foreach (float v in _buffer.AsSpan(_filled, n))
            {
                if (!float.IsFinite(v)) throw new AudioFormatException(
                    $"{source}: contains NaN or infinite samples (near {(double)SamplesRead / settings.SampleRate:F1} s); the file is corrupt");
                if (Math.Abs(v) > Peak) Peak = Math.Abs(v);
            }
            _filled += n;
            SamplesRead += n;
        }
        if (_ended && _frame >= 1 + SamplesRead / _hop) return false;
        _mel.Column(_buffer.AsSpan(0, _filled), (int)(start - _bufferStart), column);
        Decibels.FromPower(column);
        _frame++;
        return true;
    }
}
