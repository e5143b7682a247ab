namespace Genre.Features;

/// <summary>librosa.power_to_db(S, ref=np.max, amin=1e-10, top_db): decibels relative to the maximum, floored.</summary>
public static class Decibels
{
    public const float AminPower = 1e-10f;

    /// <summary>In place: S -> 10 log10(max(S, amin)) - 10 log10(max(max S, amin)), then at least -topDb.</summary>
    public static void FromPowerRelativeToMax(Span<float> values, double topDb)
    {
        float max = Math.Max(Numerics.VectorMath.Max(values), AminPower);
        double reference = 10 * Math.Log10(max);
        float floor = (float)-topDb;
        for (int i = 0; i < values.Length; i++)
        {
            float db = (float)(10 * Math.Log10(Math.Max(values[i], AminPower)) - reference);
            values[i] = Math.Max(db, floor);
        }
    }
}
