using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Genre.Features;

/// <summary>librosa.power_to_db(S, ref=np.max, amin=1e-10, top_db): decibels relative to the maximum, floored.</summary>
public static class Decibels
{
    public const float AminPower = 1e-10f;
    const float DbPerLog2 = 3.0102999566398120f; // 10 * log10(2)

    /// <summary>In place: S -> 10 log10(max(S, amin)) - 10 log10(max(max S, amin)), then at least -topDb.</summary>
    public static void FromPowerRelativeToMax(Span<float> values, double topDb)
    {
        float max = Math.Max(Numerics.VectorMath.Max(values), AminPower);
        float reference = Db(max); // the same operation as for every value, so the maximum maps to exactly 0 dB
        float floor = (float)-topDb;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector256<float>>(values);
            var amin = Vector256.Create(AminPower);
            var scale = Vector256.Create(DbPerLog2);
            var refV = Vector256.Create(reference);
            var floorV = Vector256.Create(floor);
            for (int k = 0; k < v.Length; k++)
                v[k] = Vector256.Max(Vector256.Log2(Vector256.Max(v[k], amin)) * scale - refV, floorV);
            i = v.Length * Vector256<float>.Count;
        }
        for (; i < values.Length; i++)
            values[i] = Math.Max(Db(Math.Max(values[i], AminPower)) - reference, floor);
    }

    /// <summary>In place: S -> 10 log10(max(S, amin)), decibels against a power of 1 (the song layout stores these).</summary>
    public static void FromPower(Span<float> values)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector256<float>>(values);
            var amin = Vector256.Create(AminPower);
            var scale = Vector256.Create(DbPerLog2);
            for (int k = 0; k < v.Length; k++) v[k] = Vector256.Log2(Vector256.Max(v[k], amin)) * scale;
            i = v.Length * Vector256<float>.Count;
        }
        for (; i < values.Length; i++) values[i] = Db(Math.Max(values[i], AminPower));
    }

    /// <summary>In place: decibels -> decibels relative to their maximum, then at least -topDb. Applied to the
    /// output of <see cref="FromPower"/>, this is <see cref="FromPowerRelativeToMax"/> of the power.</summary>
    public static void RelativeToMax(Span<float> decibels, double topDb)
    {
        float max = Numerics.VectorMath.Max(decibels);
        float floor = (float)-topDb;
        for (int i = 0; i < decibels.Length; i++) decibels[i] = Math.Max(decibels[i] - max, floor);
    }

    static float Db(float power) => Vector256.IsHardwareAccelerated
        ? (Vector256.Log2(Vector256.Create(power)) * Vector256.Create(DbPerLog2)).ToScalar()
        : MathF.Log2(power) * DbPerLog2;
}
