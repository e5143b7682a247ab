namespace Genre.Training;

/// <summary>
/// Transforms of a training batch, applied to the normalised input (dB features: 0 = the floor, 1 = the chunk's
/// maximum) in C# before it becomes a tensor, with a generator seeded from (seed, epoch): a resumed run draws the
/// same ones. Masks follow SpecAugment (Park et al. 2019); mixup follows Zhang et al. 2018.
/// </summary>
public sealed record Augmentation
{
    public static Augmentation None { get; } = new();

    /// <summary>Masks across time per chunk, each up to <see cref="TimeMaskWidth"/> columns wide, set to the floor.</summary>
    public int TimeMasks { get; init; }
    public int TimeMaskWidth { get; init; }
    /// <summary>Masks across frequency per chunk, each up to <see cref="FrequencyMaskWidth"/> rows (mel bands) high.</summary>
    public int FrequencyMasks { get; init; }
    public int FrequencyMaskWidth { get; init; }
    /// <summary>Mixup's Beta(alpha, alpha); 0 = off. Each chunk is mixed with another of the batch, labels likewise.</summary>
    public double MixupAlpha { get; init; }
    /// <summary>Level shift up to +-this many dB (features stay relative to the chunk's maximum, so this moves the
    /// whole chunk against the floor).</summary>
    public double GainDb { get; init; }
    /// <summary>Spectral tilt up to +-this many dB from the lowest to the highest band, re-referenced to the maximum.</summary>
    public double TiltDb { get; init; }

    /// <summary>No transform is on (mask widths without masks change nothing).</summary>
    public bool IsNone => TimeMasks == 0 && FrequencyMasks == 0 && MixupAlpha == 0 && GainDb == 0 && TiltDb == 0;

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (TimeMasks < 0 || TimeMasks > 16) p.Add($"--time-masks {TimeMasks} must be 0..16");
        if (TimeMaskWidth < 0) p.Add($"--time-mask-width {TimeMaskWidth} must be 0 or more (columns)");
        if (TimeMasks > 0 && TimeMaskWidth == 0) p.Add("--time-masks needs --time-mask-width above 0");
        if (FrequencyMasks < 0 || FrequencyMasks > 16) p.Add($"--freq-masks {FrequencyMasks} must be 0..16");
        if (FrequencyMaskWidth < 0) p.Add($"--freq-mask-width {FrequencyMaskWidth} must be 0 or more (mel bands)");
        if (FrequencyMasks > 0 && FrequencyMaskWidth == 0) p.Add("--freq-masks needs --freq-mask-width above 0");
        if (!(MixupAlpha >= 0) || MixupAlpha > 100) p.Add($"--mixup {MixupAlpha} must be above 0 (typical 0.2-0.4), or 'off'");
        if (!(GainDb >= 0 && GainDb <= 60)) p.Add($"--gain {GainDb} must be 0..60 dB");
        if (!(TiltDb >= 0 && TiltDb <= 60)) p.Add($"--tilt {TiltDb} must be 0..60 dB");
        return p;
    }

    /// <summary>
    /// Transforms <paramref name="count"/> chunks of <paramref name="height"/> x <paramref name="width"/> values in
    /// <paramref name="batch"/> in place and writes their targets (count x genres) into <paramref name="targets"/>:
    /// one-hot, mixed by mixup. <paramref name="dbPerUnit"/> is how many dB one unit of the input is (the floor depth).
    /// </summary>
    public void Apply(Span<float> batch, int count, int height, int width, ReadOnlySpan<int> labels, int genres, Span<float> targets,
        double dbPerUnit, Random rng)
    {
        int size = height * width;
        targets[..(count * genres)].Clear();
        for (int i = 0; i < count; i++) targets[i * genres + labels[i]] = 1;
        for (int i = 0; i < count; i++)
        {
            var image = batch.Slice(i * size, size);
            if (TiltDb > 0) Tilt(image, height, width, (float)((rng.NextDouble() * 2 - 1) * TiltDb / dbPerUnit));
            if (GainDb > 0) Shift(image, (float)((rng.NextDouble() * 2 - 1) * GainDb / dbPerUnit));
            for (int m = 0; m < FrequencyMasks; m++)
            {
                int w = rng.Next(FrequencyMaskWidth + 1), from = rng.Next(Math.Max(1, height - w + 1));
                image.Slice(from * width, Math.Min(w, height - from) * width).Clear();
            }
            for (int m = 0; m < TimeMasks; m++)
            {
                int w = rng.Next(TimeMaskWidth + 1), from = rng.Next(Math.Max(1, width - w + 1));
                for (int y = 0; y < height; y++) image.Slice(y * width + from, Math.Min(w, width - from)).Clear();
            }
        }
        if (MixupAlpha > 0 && count > 1) Mixup(batch, count, size, targets, genres, rng);
    }

    /// <summary>Adds a ramp of <paramref name="units"/> from the lowest band (-units/2) to the highest (+units/2), then
    /// moves the chunk back under its maximum and clips at the floor: a tilted spectrum seen the way features are made.</summary>
    static void Tilt(Span<float> image, int height, int width, float units)
    {
        float max = float.NegativeInfinity;
        for (int y = 0; y < height; y++)
        {
            float add = units * (height == 1 ? 0 : (float)y / (height - 1) - 0.5f);
            var row = image.Slice(y * width, width);
            for (int x = 0; x < width; x++) max = Math.Max(max, row[x] += add);
        }
        float reference = max - 1; // the maximum back at 1
        for (int i = 0; i < image.Length; i++) image[i] = Math.Max(image[i] - reference, 0);
    }

    static void Shift(Span<float> image, float units)
    {
        for (int i = 0; i < image.Length; i++) image[i] = Math.Max(image[i] + units, 0);
    }

    /// <summary>Each chunk i becomes lambda_i x_i + (1 - lambda_i) x_p(i), p a random permutation, lambda_i ~ Beta(a, a)
    /// folded to at least 1/2 (so the chunk keeps most of itself); targets alike.</summary>
    void Mixup(Span<float> batch, int count, int size, Span<float> targets, int genres, Random rng)
    {
        var partner = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(partner);
        var lambda = new float[count];
        for (int i = 0; i < count; i++)
        {
            double l = Beta(rng, MixupAlpha);
            lambda[i] = (float)Math.Max(l, 1 - l);
        }
        var images = batch[..(count * size)].ToArray();
        var labels = targets[..(count * genres)].ToArray();
        for (int i = 0; i < count; i++)
        {
            float l = lambda[i], r = 1 - l;
            var mine = images.AsSpan(i * size, size);
            var theirs = images.AsSpan(partner[i] * size, size);
            var output = batch.Slice(i * size, size);
            for (int j = 0; j < size; j++) output[j] = l * mine[j] + r * theirs[j];
            for (int g = 0; g < genres; g++) targets[i * genres + g] = l * labels[i * genres + g] + r * labels[partner[i] * genres + g];
        }
    }

    /// <summary>Beta(a, a) from two gamma draws.</summary>
    static double Beta(Random rng, double a)
    {
        double x = Gamma(rng, a), y = Gamma(rng, a);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 through the boost u^(1/shape).</summary>
    static double Gamma(Random rng, double shape)
    {
        if (shape < 1) return Gamma(rng, shape + 1) * Math.Pow(rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
