namespace Genre.Features;

/// <summary>
/// Power spectrum of a real frame of power-of-two length N: one complex FFT of N/2 points
/// (iterative radix-2, precomputed twiddles) and the usual split into the N/2+1 real-input bins.
/// Not thread-safe: one instance per thread (it owns its scratch buffers).
/// </summary>
public sealed class RealFft
{
    readonly int _n, _half;
    readonly int[] _bitReverse;
    readonly float[] _cos, _sin;          // twiddles of the N/2-point FFT: e^{-2 pi i k / (N/2)}
    readonly float[] _splitCos, _splitSin; // twiddles of the real split: e^{-2 pi i k / N}
    readonly float[] _re, _im;

    public int Length => _n;
    public int Bins => _half + 1;

    public RealFft(int length)
    {
        if (length < 4 || (length & (length - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(length), $"FFT length must be a power of two >= 4, got {length}");
        _n = length;
        _half = length / 2;
        int bits = System.Numerics.BitOperations.Log2((uint)_half);
        _bitReverse = new int[_half];
        for (int i = 0; i < _half; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitReverse[i] = r;
        }
        _cos = new float[_half / 2];
        _sin = new float[_half / 2];
        for (int k = 0; k < _half / 2; k++)
        {
            _cos[k] = (float)Math.Cos(2 * Math.PI * k / _half);
            _sin[k] = (float)-Math.Sin(2 * Math.PI * k / _half);
        }
        _splitCos = new float[_half + 1];
        _splitSin = new float[_half + 1];
        for (int k = 0; k <= _half; k++)
        {
            _splitCos[k] = (float)Math.Cos(2 * Math.PI * k / _n);
            _splitSin[k] = (float)-Math.Sin(2 * Math.PI * k / _n);
        }
        _re = new float[_half];
        _im = new float[_half];
    }

    /// <summary>Writes |X[k]|^2 for k = 0..N/2 of the real <paramref name="frame"/> (length N) into <paramref name="power"/>.</summary>
    public void Power(ReadOnlySpan<float> frame, Span<float> power)
    {
        if (frame.Length != _n) throw new ArgumentException($"frame length {frame.Length} != FFT length {_n}");
        var re = _re; var im = _im;
        for (int i = 0; i < _half; i++)
        {
            int r = _bitReverse[i];
            re[r] = frame[2 * i];
            im[r] = frame[2 * i + 1];
        }
        Transform(re, im);

        // X[k] = (Z[k] + conj Z[M-k]) / 2  - i e^{-2 pi i k/N} (Z[k] - conj Z[M-k]) / 2
        for (int k = 0; k <= _half; k++)
        {
            int a = k == _half ? 0 : k, b = k == 0 ? 0 : _half - k;
            float zr = re[a], zi = im[a], cr = re[b], ci = -im[b];
            float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
            float dr = 0.5f * (zr - cr), di = 0.5f * (zi - ci);
            // o = -i * d = (di, -dr); times twiddle w
            float or = di, oi = -dr;
            float wr = _splitCos[k], wi = _splitSin[k];
            float xr = er + or * wr - oi * wi;
            float xi = ei + or * wi + oi * wr;
            power[k] = xr * xr + xi * xi;
        }
    }

    void Transform(float[] re, float[] im)
    {
        int n = _half;
        for (int size = 2; size <= n; size <<= 1)
        {
            int halfSize = size >> 1, step = n / size;
            for (int start = 0; start < n; start += size)
            {
                for (int j = 0, t = 0; j < halfSize; j++, t += step)
                {
                    int p = start + j, q = p + halfSize;
                    float wr = _cos[t], wi = _sin[t];
                    float tr = re[q] * wr - im[q] * wi;
                    float ti = re[q] * wi + im[q] * wr;
                    re[q] = re[p] - tr; im[q] = im[p] - ti;
                    re[p] += tr; im[p] += ti;
                }
            }
        }
    }
}
