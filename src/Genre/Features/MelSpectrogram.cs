namespace Genre.Features;

/// <summary>
/// librosa.feature.melspectrogram with its defaults: centred frames (zero padding of n_fft/2 each
/// side), periodic Hann window, |STFT|^2, then the mel filter bank. Output is [band][frame], row-major.
/// Not thread-safe: one instance per thread.
/// </summary>
public sealed class MelSpectrogram
{
    readonly FeatureSettings _settings;
    readonly RealFft _fft;
    readonly MelFilterBank _bank;
    readonly float[] _window, _frame, _power, _melColumn;

    public MelSpectrogram(FeatureSettings settings)
    {
        _settings = settings.Validated();
        _fft = new RealFft(settings.NFft);
        _bank = new MelFilterBank(settings.SampleRate, settings.NFft, settings.NMels, settings.FMinHz, settings.MaxFrequencyHz);
        _window = HannPeriodic(settings.NFft);
        _frame = new float[settings.NFft];
        _power = new float[_fft.Bins];
        _melColumn = new float[settings.NMels];
    }

    public int Bands => _settings.NMels;

    /// <summary>Frames a signal of <paramref name="length"/> samples gives: 1 + length / hop.</summary>
    public int Frames(int length) => 1 + length / _settings.HopLength;

    /// <summary>Computes the mel power spectrogram of <paramref name="signal"/> into <paramref name="mel"/>
    /// (length Bands * Frames(signal.Length), [band][frame]).</summary>
    public void Compute(ReadOnlySpan<float> signal, Span<float> mel)
    {
        int frames = Frames(signal.Length);
        if (mel.Length < Bands * frames) throw new ArgumentException($"mel buffer of {mel.Length} < {Bands}x{frames}");
        for (int t = 0; t < frames; t++)
        {
            Column(signal, t * _settings.HopLength - _settings.NFft / 2, _melColumn);
            for (int m = 0; m < Bands; m++) mel[m * frames + t] = _melColumn[m];
        }
    }

    /// <summary>The mel power of the frame of n_fft samples starting at <paramref name="start"/> (which may lie
    /// partly outside <paramref name="signal"/>: zeros there, the centre padding) into <paramref name="column"/> (Bands).</summary>
    public void Column(ReadOnlySpan<float> signal, int start, Span<float> column)
    {
        int nFft = _settings.NFft;
        int from = Math.Max(0, start), to = Math.Min(signal.Length, start + nFft);
        var frame = _frame.AsSpan();
        if (to - from < nFft) frame.Clear();
        if (to > from) Numerics.VectorMath.Multiply(signal[from..to], _window.AsSpan(from - start, to - from), frame[(from - start)..]);
        _fft.Power(frame, _power);
        _bank.Apply(_power, column);
    }

    /// <summary>Periodic Hann window (scipy.signal.get_window("hann", n, fftbins=True)).</summary>
    public static float[] HannPeriodic(int n)
    {
        var w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n));
        return w;
    }
}
