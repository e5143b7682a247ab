using System.Numerics;
using System.Runtime.InteropServices;

namespace Genre.Numerics;

/// <summary>Small SIMD kernels used on hot paths.</summary>
internal static class VectorMath
{
    /// <summary>Sum of a[i]*b[i] over the shorter length.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = Math.Min(a.Length, b.Length);
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a[..n]);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < va.Length; v++) acc += va[v] * vb[v];
            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>destination[i] = a[i] * b[i] over the length of <paramref name="a"/>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        int n = a.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
            var vd = MemoryMarshal.Cast<float, Vector<float>>(destination[..n]);
            for (int v = 0; v < va.Length; v++) vd[v] = va[v] * vb[v];
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) destination[i] = a[i] * b[i];
    }

    /// <summary>Largest value (negative infinity when empty).</summary>
    public static float Max(ReadOnlySpan<float> a)
    {
        float m = float.NegativeInfinity;
        foreach (float x in a) if (x > m) m = x;
        return m;
    }
}
