using Genre.Numerics;

namespace Genre.Audio;

/// <summary>
/// Band-limited rational resampler: a Kaiser-windowed sinc evaluated on a polyphase grid
/// (one phase per output position between two input samples). Defaults give more than 90 dB of
/// stop-band attenuation above the lower Nyquist frequency and a flat pass band up to 45 % of the
/// lower sample rate. Streaming: push blocks in, get blocks out, memory stays bounded.
/// </summary>
public sealed class Resampler
{
    /// <summary>Stop-band attenuation the filter is designed for, in dB.</summary>
    public const double AttenuationDb = 100;
    /// <summary>Edge of the flat pass band as a fraction of the lower sample rate.</summary>
    public const double PassbandFraction = 0.45;

    readonly int _up, _down;        // output/input = up/down, reduced
    readonly int _halfTaps;          // input samples each side of the output position
    readonly float[][]? _phases;     // [phase][2*halfTaps] coefficients, or null: computed per sample
    readonly double _cutoff, _beta;  // cutoff in cycles per input sample; Kaiser beta
    float[] _buffer;                 // input samples not yet consumed, _bufferStart = index of _buffer[0]
    int _count;
    long _bufferStart;
    long _nextOutput;                // index of the next output sample
    long _inputSeen;

    public int InputRate { get; }
    public int OutputRate { get; }

    public Resampler(int inputRate, int outputRate)
    {
        if (inputRate <= 0 || outputRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputRate), $"sample rates must be positive, got {inputRate} -> {outputRate}");
        InputRate = inputRate;
        OutputRate = outputRate;
        int g = Gcd(inputRate, outputRate);
        _up = outputRate / g;
        _down = inputRate / g;
        double lower = Math.Min(inputRate, outputRate);
        double transitionHz = (0.5 - PassbandFraction) * lower;      // pass-band edge to the lower Nyquist
        _cutoff = (PassbandFraction + 0.5) / 2 * lower / inputRate;   // -6 dB point, cycles per input sample
        double transition = 2 * Math.PI * transitionHz / inputRate;   // radians per input sample
        _beta = 0.1102 * (AttenuationDb - 8.7);
        _halfTaps = (int)Math.Ceiling((AttenuationDb - 7.95) / (2.285 * transition) / 2) + 1;
        if ((long)_up * 2 * _halfTaps <= 4_000_000)
        {
            _phases = new float[_up][];
            for (int p = 0; p < _up; p++) _phases[p] = Coefficients((double)p / _up);
        }
        _buffer = new float[4 * _halfTaps + 4096];
    }

    /// <summary>Taps for an output position <paramref name="fraction"/> of an input sample after input n0,
    /// over inputs n0-halfTaps+1 .. n0+halfTaps, normalised to unit DC gain.</summary>
    float[] Coefficients(double fraction)
    {
        var taps = new float[2 * _halfTaps];
        double sum = 0;
        var values = new double[taps.Length];
        for (int j = 0; j < taps.Length; j++)
        {
            double u = j - _halfTaps + 1 - fraction; // distance from the output position, in input samples
            double x = u / _halfTaps;
            double window = Math.Abs(x) >= 1 ? 0 : BesselI0(_beta * Math.Sqrt(1 - x * x)) / BesselI0(_beta);
            values[j] = 2 * _cutoff * Sinc(2 * _cutoff * u) * window;
            sum += values[j];
        }
        for (int j = 0; j < taps.Length; j++) taps[j] = (float)(values[j] / sum);
        return taps;
    }

    /// <summary>Number of output samples a whole input of <paramref name="inputLength"/> samples gives.</summary>
    public long OutputLength(long inputLength) => (inputLength * _up + _down - 1) / _down;

    /// <summary>Pushes input and appends every output sample that can be computed to <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<float> input, List<float> output)
    {
        Append(input);
        _inputSeen += input.Length;
        Emit(output, _inputSeen);
    }

    /// <summary>Ends the stream: emits the remaining output samples (the input is treated as zero past its end).</summary>
    public void Flush(List<float> output)
    {
        Append(new float[_halfTaps + 1]);
        Emit(output, _inputSeen, final: true);
    }

    void Emit(List<float> output, long inputLength, bool final = false)
    {
        long total = OutputLength(inputLength);
        long available = _bufferStart + _count;
        while (_nextOutput < total || !final)
        {
            long position = _nextOutput * _down;            // in units of 1/up input samples
            long n0 = position / _up;
            int phase = (int)(position % _up);
            if (n0 + _halfTaps >= available) break;          // not enough input yet
            if (final && _nextOutput >= total) break;
            var taps = _phases?[phase] ?? Coefficients((double)phase / _up);
            int offset = (int)(n0 - _halfTaps + 1 - _bufferStart);
            int skip = offset < 0 ? -offset : 0; // samples before the start of the stream are zero
            output.Add(VectorMath.Dot(taps.AsSpan(skip), _buffer.AsSpan(offset + skip, taps.Length - skip)));
            _nextOutput++;
        }
        Discard(_nextOutput * _down / _up - _halfTaps);
    }

    void Append(ReadOnlySpan<float> input)
    {
        if (_count + input.Length > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + input.Length));
        input.CopyTo(_buffer.AsSpan(_count));
        _count += input.Length;
    }

    void Discard(long keepFrom)
    {
        int drop = (int)Math.Clamp(keepFrom - _bufferStart, 0, _count);
        if (drop == 0) return;
        _buffer.AsSpan(drop, _count - drop).CopyTo(_buffer);
        _count -= drop;
        _bufferStart += drop;
    }

    /// <summary>Resamples a whole signal at once.</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int inputRate, int outputRate)
    {
        if (inputRate == outputRate) return input.ToArray();
        var r = new Resampler(inputRate, outputRate);
        var output = new List<float>((int)r.OutputLength(input.Length));
        r.Process(input, output);
        r.Flush(output);
        return output.ToArray();
    }

    static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++) { term *= q / (k * k); sum += term; }
        return sum;
    }

    static int Gcd(int a, int b) { while (b != 0) (a, b) = (b, a % b); return a; }
}

/// <summary>An audio stream resampled on the fly.</summary>
public sealed class ResamplingAudioStream(AudioStream source, int sampleRate) : AudioStream
{
    readonly Resampler _resampler = new(source.SampleRate, sampleRate);
    readonly List<float> _pending = new();
    readonly float[] _block = new float[8192];
    int _pendingRead;
    bool _ended;

    public override int SampleRate => sampleRate;
    public override int Channels => source.Channels;

    public override int Read(Span<float> mono)
    {
        while (_pending.Count - _pendingRead < mono.Length && !_ended)
        {
            if (_pendingRead > 0) { _pending.RemoveRange(0, _pendingRead); _pendingRead = 0; }
            int n = source.Read(_block);
            if (n == 0) { _resampler.Flush(_pending); _ended = true; }
            else _resampler.Process(_block.AsSpan(0, n), _pending);
        }
        int take = Math.Min(mono.Length, _pending.Count - _pendingRead);
        for (int i = 0; i < take; i++) mono[i] = _pending[_pendingRead + i];
        _pendingRead += take;
        return take;
    }

    public override void Dispose()
    {
        source.Dispose();
        base.Dispose();
    }
}
