using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Genre.Features;

/// <summary>
/// Power spectrum of a real frame of power-of-two length N, computed as one complex FFT of N/2
/// points and the usual split into the N/2+1 bins of a real input. The complex FFT is a Stockham
/// (self-sorting) radix-4 decimation in frequency on separate real and imaginary arrays, so every
/// stage with a stride of 4 or more runs on SIMD vectors with contiguous loads and stores.
/// Not thread-safe: one instance per thread (it owns its scratch buffers).
/// </summary>
public sealed class RealFft
{
    readonly int _n, _half;
    readonly Stage[] _stages;
    readonly bool _finalRadix2;
    readonly float[] _splitCos, _splitSin;     // e^{-2 pi i k / N}
    readonly float[] _aRe, _aIm, _bRe, _bIm;

    /// <summary>One radix-4 pass: length n, stride s, twiddles w^p, w^2p, w^3p with w = e^{-2 pi i / n}.</summary>
    sealed record Stage(int Length, int Stride, float[] W1Re, float[] W1Im, float[] W2Re, float[] W2Im, float[] W3Re, float[] W3Im);

    public int Length => _n;
    public int Bins => _half + 1;

    public RealFft(int length)
    {
        if (length < 4 || (length & (length - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(length), $"FFT length must be a power of two >= 4, got {length}");
        _n = length;
        _half = length / 2;
        var stages = new List<Stage>();
        int n = _half, s = 1;
        for (; n >= 4; n /= 4, s *= 4)
        {
            int q = n / 4;
            float[] Tw(int k, bool sin) => Enumerable.Range(0, q).Select(p => (float)(sin ? -Math.Sin(2 * Math.PI * k * p / n) : Math.Cos(2 * Math.PI * k * p / n))).ToArray();
            stages.Add(new Stage(n, s, Tw(1, false), Tw(1, true), Tw(2, false), Tw(2, true), Tw(3, false), Tw(3, true)));
        }
        _stages = stages.ToArray();
        _finalRadix2 = n == 2;
        _splitCos = new float[_half + 1];
        _splitSin = new float[_half + 1];
        for (int k = 0; k <= _half; k++)
        {
            _splitCos[k] = (float)Math.Cos(2 * Math.PI * k / _n);
            _splitSin[k] = (float)-Math.Sin(2 * Math.PI * k / _n);
        }
        _aRe = new float[_half]; _aIm = new float[_half]; _bRe = new float[_half]; _bIm = new float[_half];
    }

    /// <summary>Writes |X[k]|^2 for k = 0..N/2 of the real <paramref name="frame"/> (length N) into <paramref name="power"/>.</summary>
    public void Power(ReadOnlySpan<float> frame, Span<float> power)
    {
        if (frame.Length != _n) throw new ArgumentException($"frame length {frame.Length} != FFT length {_n}");
        if (power.Length < _half + 1) throw new ArgumentException($"power buffer of {power.Length} < {_half + 1}");
        // z[m] = x[2m] + i x[2m+1]
        for (int m = 0; m < _half; m++)
        {
            _aRe[m] = frame[2 * m];
            _aIm[m] = frame[2 * m + 1];
        }
        var (re, im) = Transform();

        // X[k] = (Z[k] + conj Z[M-k]) / 2 - i e^{-2 pi i k/N} (Z[k] - conj Z[M-k]) / 2
        for (int k = 0; k <= _half; k++)
        {
            int a = k == _half ? 0 : k, b = k == 0 ? 0 : _half - k;
            float zr = re[a], zi = im[a], cr = re[b], ci = -im[b];
            float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
            float or = 0.5f * (zi - ci), oi = -0.5f * (zr - cr);
            float wr = _splitCos[k], wi = _splitSin[k];
            float xr = er + or * wr - oi * wi;
            float xi = ei + or * wi + oi * wr;
            power[k] = xr * xr + xi * xi;
        }
    }

    /// <summary>In-order complex FFT of (_aRe, _aIm); returns the arrays holding the result.</summary>
    (float[] Re, float[] Im) Transform()
    {
        float[] xr = _aRe, xi = _aIm, yr = _bRe, yi = _bIm;
        foreach (var stage in _stages)
        {
            bool vectorised = Vector256.IsHardwareAccelerated && (stage.Stride >= 8 || (stage.Stride == 4 && stage.Length % 8 == 0));
            if (vectorised) Radix4Vector(stage, xr, xi, yr, yi);
            else if (stage.Stride == 1 && stage.Length % 32 == 0 && Avx.IsSupported) Radix4FirstAvx(stage, xr, xi, yr, yi);
            else Radix4Scalar(stage, xr, xi, yr, yi);
            (xr, yr) = (yr, xr);
            (xi, yi) = (yi, xi);
        }
        if (_finalRadix2)
        {
            int s = _half / 2;
            for (int q = 0; q < s; q++)
            {
                float ar = xr[q], ai = xi[q], br = xr[q + s], bi = xi[q + s];
                yr[q] = ar + br; yi[q] = ai + bi;
                yr[q + s] = ar - br; yi[q + s] = ai - bi;
            }
            (xr, yr) = (yr, xr);
            (xi, yi) = (yi, xi);
        }
        return (xr, xi);
    }

    static void Radix4Scalar(Stage st, float[] xr, float[] xi, float[] yr, float[] yi)
    {
        int n1 = st.Length / 4, s = st.Stride;
        for (int p = 0; p < n1; p++)
        {
            float w1r = st.W1Re[p], w1i = st.W1Im[p], w2r = st.W2Re[p], w2i = st.W2Im[p], w3r = st.W3Re[p], w3i = st.W3Im[p];
            int ia = s * p, ib = s * (p + n1), ic = s * (p + 2 * n1), id = s * (p + 3 * n1), o = s * 4 * p;
            for (int q = 0; q < s; q++)
            {
                float ar = xr[ia + q], ai = xi[ia + q], br = xr[ib + q], bi = xi[ib + q];
                float cr = xr[ic + q], ci = xi[ic + q], dr = xr[id + q], di = xi[id + q];
                float apcR = ar + cr, apcI = ai + ci, amcR = ar - cr, amcI = ai - ci;
                float bpdR = br + dr, bpdI = bi + di;
                float jbmdR = -(bi - di), jbmdI = br - dr; // i (b - d)
                yr[o + q] = apcR + bpdR; yi[o + q] = apcI + bpdI;
                float t1r = amcR - jbmdR, t1i = amcI - jbmdI;
                yr[o + s + q] = w1r * t1r - w1i * t1i; yi[o + s + q] = w1r * t1i + w1i * t1r;
                float t2r = apcR - bpdR, t2i = apcI - bpdI;
                yr[o + 2 * s + q] = w2r * t2r - w2i * t2i; yi[o + 2 * s + q] = w2r * t2i + w2i * t2r;
                float t3r = amcR + jbmdR, t3i = amcI + jbmdI;
                yr[o + 3 * s + q] = w3r * t3r - w3i * t3i; yi[o + 3 * s + q] = w3r * t3i + w3i * t3r;
            }
        }
    }

    /// <summary>The radix-4 pass on 8-lane vectors along the stride. A stride of 4 takes two values of p per
    /// vector (lanes 0-3 and 4-7), whose outputs are 16 floats apart and stored as two halves.</summary>
    static unsafe void Radix4Vector(Stage st, float[] xr, float[] xi, float[] yr, float[] yi)
    {
        int n1 = st.Length / 4, s = st.Stride;
        bool pairs = s == 4;
        fixed (float* pxr = xr, pxi = xi, pyr = yr, pyi = yi)
        {
            for (int p = 0; p < n1; p += pairs ? 2 : 1)
            {
                var w1r = Twiddle(st.W1Re, p, pairs); var w1i = Twiddle(st.W1Im, p, pairs);
                var w2r = Twiddle(st.W2Re, p, pairs); var w2i = Twiddle(st.W2Im, p, pairs);
                var w3r = Twiddle(st.W3Re, p, pairs); var w3i = Twiddle(st.W3Im, p, pairs);
                int ia = s * p, ib = s * (p + n1), ic = s * (p + 2 * n1), id = s * (p + 3 * n1), o = s * 4 * p;
                for (int q = 0; q < (pairs ? 4 : s); q += 8)
                {
                    var ar = Vector256.Load(pxr + ia + q); var ai = Vector256.Load(pxi + ia + q);
                    var br = Vector256.Load(pxr + ib + q); var bi = Vector256.Load(pxi + ib + q);
                    var cr = Vector256.Load(pxr + ic + q); var ci = Vector256.Load(pxi + ic + q);
                    var dr = Vector256.Load(pxr + id + q); var di = Vector256.Load(pxi + id + q);
                    var apcR = ar + cr; var apcI = ai + ci; var amcR = ar - cr; var amcI = ai - ci;
                    var bpdR = br + dr; var bpdI = bi + di;
                    var jbmdR = di - bi; var jbmdI = br - dr;
                    var t1r = amcR - jbmdR; var t1i = amcI - jbmdI;
                    var t2r = apcR - bpdR; var t2i = apcI - bpdI;
                    var t3r = amcR + jbmdR; var t3i = amcI + jbmdI;
                    Store(apcR + bpdR, pyr + o + q, pairs); Store(apcI + bpdI, pyi + o + q, pairs);
                    Store(w1r * t1r - w1i * t1i, pyr + o + s + q, pairs); Store(w1r * t1i + w1i * t1r, pyi + o + s + q, pairs);
                    Store(w2r * t2r - w2i * t2i, pyr + o + 2 * s + q, pairs); Store(w2r * t2i + w2i * t2r, pyi + o + 2 * s + q, pairs);
                    Store(w3r * t3r - w3i * t3i, pyr + o + 3 * s + q, pairs); Store(w3r * t3i + w3i * t3r, pyi + o + 3 * s + q, pairs);
                }
            }
        }
    }

    /// <summary>The first pass (stride 1) on 8 values of p at once: loads are contiguous in p, and the four
    /// outputs of each p (y[4p..4p+3]) are interleaved by a 4x8 transpose before 32 contiguous floats are stored.</summary>
    static unsafe void Radix4FirstAvx(Stage st, float[] xr, float[] xi, float[] yr, float[] yi)
    {
        int n1 = st.Length / 4;
        fixed (float* pxr = xr, pxi = xi, pyr = yr, pyi = yi)
        fixed (float* w1r = st.W1Re, w1i = st.W1Im, w2r = st.W2Re, w2i = st.W2Im, w3r = st.W3Re, w3i = st.W3Im)
        {
            for (int p = 0; p < n1; p += 8)
            {
                var ar = Avx.LoadVector256(pxr + p); var ai = Avx.LoadVector256(pxi + p);
                var br = Avx.LoadVector256(pxr + p + n1); var bi = Avx.LoadVector256(pxi + p + n1);
                var cr = Avx.LoadVector256(pxr + p + 2 * n1); var ci = Avx.LoadVector256(pxi + p + 2 * n1);
                var dr = Avx.LoadVector256(pxr + p + 3 * n1); var di = Avx.LoadVector256(pxi + p + 3 * n1);
                var apcR = ar + cr; var apcI = ai + ci; var amcR = ar - cr; var amcI = ai - ci;
                var bpdR = br + dr; var bpdI = bi + di;
                var jbmdR = di - bi; var jbmdI = br - dr;
                var t1r = amcR - jbmdR; var t1i = amcI - jbmdI;
                var t2r = apcR - bpdR; var t2i = apcI - bpdI;
                var t3r = amcR + jbmdR; var t3i = amcI + jbmdI;
                var v1r = Avx.LoadVector256(w1r + p); var v1i = Avx.LoadVector256(w1i + p);
                var v2r = Avx.LoadVector256(w2r + p); var v2i = Avx.LoadVector256(w2i + p);
                var v3r = Avx.LoadVector256(w3r + p); var v3i = Avx.LoadVector256(w3i + p);
                StoreInterleaved(pyr + 4 * p, apcR + bpdR, v1r * t1r - v1i * t1i, v2r * t2r - v2i * t2i, v3r * t3r - v3i * t3i);
                StoreInterleaved(pyi + 4 * p, apcI + bpdI, v1r * t1i + v1i * t1r, v2r * t2i + v2i * t2r, v3r * t3i + v3i * t3r);
            }
        }
    }

    /// <summary>Stores out[4j + k] = rk[j] for j = 0..7, k = 0..3 (a 4x8 transpose).</summary>
    static unsafe void StoreInterleaved(float* output, Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3)
    {
        var t0 = Avx.UnpackLow(r0, r1).AsDouble();  // r0_0 r1_0 r0_1 r1_1 | r0_4 r1_4 r0_5 r1_5
        var t1 = Avx.UnpackHigh(r0, r1).AsDouble(); // r0_2 r1_2 r0_3 r1_3 | r0_6 r1_6 r0_7 r1_7
        var t2 = Avx.UnpackLow(r2, r3).AsDouble();
        var t3 = Avx.UnpackHigh(r2, r3).AsDouble();
        var u0 = Avx.UnpackLow(t0, t2).AsSingle();  // j=0 | j=4
        var u1 = Avx.UnpackHigh(t0, t2).AsSingle(); // j=1 | j=5
        var u2 = Avx.UnpackLow(t1, t3).AsSingle();  // j=2 | j=6
        var u3 = Avx.UnpackHigh(t1, t3).AsSingle(); // j=3 | j=7
        Avx.Store(output, Avx.Permute2x128(u0, u1, 0x20));
        Avx.Store(output + 8, Avx.Permute2x128(u2, u3, 0x20));
        Avx.Store(output + 16, Avx.Permute2x128(u0, u1, 0x31));
        Avx.Store(output + 24, Avx.Permute2x128(u2, u3, 0x31));
    }

    static Vector256<float> Twiddle(float[] w, int p, bool pairs) =>
        pairs ? Vector256.Create(Vector128.Create(w[p]), Vector128.Create(w[p + 1])) : Vector256.Create(w[p]);

    /// <summary>Stores 8 lanes; in pair mode the upper 4 belong to p+1, whose outputs start 16 floats later.</summary>
    static unsafe void Store(Vector256<float> v, float* at, bool pairs)
    {
        if (!pairs) { v.Store(at); return; }
        v.GetLower().Store(at);
        v.GetUpper().Store(at + 16);
    }
}
