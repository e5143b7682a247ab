using Genre.Training;

namespace Genre.Tests.Training;

public class AugmentationTests
{
    const int H = 16, W = 12, K = 3;

    static float[] Batch(int count, float value = 0.5f) => Enumerable.Repeat(value, count * H * W).ToArray();

    [Fact]
    public void Nothing_changes_without_transforms_and_targets_are_one_hot()
    {
        var batch = Batch(2);
        var targets = new float[2 * K];
        Augmentation.None.Apply(batch, 2, H, W, [2, 0], K, targets, 80, new Random(1));
        Assert.All(batch, v => Assert.Equal(0.5f, v));
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0 }, targets);
    }

    [Fact]
    public void Masks_clear_whole_bands_and_whole_columns_within_their_widths()
    {
        var a = new Augmentation { FrequencyMasks = 1, FrequencyMaskWidth = 4, TimeMasks = 1, TimeMaskWidth = 3 };
        int maskedSomewhere = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var batch = Batch(1, 1f);
            a.Apply(batch, 1, H, W, [0], K, new float[K], 80, new Random(seed));
            var rows = Enumerable.Range(0, H).Where(y => Enumerable.Range(0, W).All(x => batch[y * W + x] == 0)).ToList();
            var columns = Enumerable.Range(0, W).Where(x => Enumerable.Range(0, H).All(y => batch[y * W + x] == 0)).ToList();
            Assert.InRange(rows.Count, 0, 4);
            Assert.InRange(columns.Count, 0, 3);
            if (rows.Count > 0) Assert.Equal(rows.Count - 1, rows[^1] - rows[0]); // one contiguous band
            if (columns.Count > 0) Assert.Equal(columns.Count - 1, columns[^1] - columns[0]);
            // every zero lies in a masked row or column
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    if (batch[y * W + x] == 0) Assert.True(rows.Contains(y) || columns.Contains(x));
            maskedSomewhere += rows.Count + columns.Count;
        }
        Assert.True(maskedSomewhere > 20);
    }

    [Fact]
    public void Mixup_mixes_images_and_targets_with_the_same_weight_and_keeps_most_of_each()
    {
        var a = new Augmentation { MixupAlpha = 0.4 };
        int n = 8;
        var batch = new float[n * H * W];
        for (int i = 0; i < n; i++) batch.AsSpan(i * H * W, H * W).Fill(i);
        var labels = Enumerable.Range(0, n).Select(i => i % K).ToArray();
        var targets = new float[n * K];
        a.Apply(batch, n, H, W, labels, K, targets, 80, new Random(3));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1f, targets.AsSpan(i * K, K).ToArray().Sum(), 5);
            Assert.True(targets[i * K + labels[i]] >= 0.5f - 1e-6f); // lambda folded to at least 1/2
            Assert.All(batch.AsSpan(i * H * W, H * W).ToArray(), v => Assert.Equal(batch[i * H * W], v)); // uniform images stay uniform
        }
        Assert.Contains(Enumerable.Range(0, n), i => batch[i * H * W] != i); // something was mixed
    }

    [Fact]
    public void Tilt_keeps_the_maximum_at_one_and_nothing_below_the_floor()
    {
        var a = new Augmentation { TiltDb = 20 };
        var batch = new float[H * W];
        var rng = new Random(4);
        for (int i = 0; i < batch.Length; i++) batch[i] = (float)rng.NextDouble();
        batch[5] = 1;
        a.Apply(batch, 1, H, W, [1], K, new float[K], 80, new Random(9));
        Assert.Equal(1f, batch.Max(), 5);
        Assert.True(batch.Min() >= 0);
        // the low and high bands moved apart
        float low = batch.AsSpan(0, W).ToArray().Average(), high = batch.AsSpan((H - 1) * W, W).ToArray().Average();
        Assert.NotEqual(low, high);
    }

    [Fact]
    public void The_same_generator_gives_the_same_batch()
    {
        var a = new Augmentation { FrequencyMasks = 2, FrequencyMaskWidth = 5, TimeMasks = 2, TimeMaskWidth = 4, MixupAlpha = 0.3, TiltDb = 6, GainDb = 3 };
        float[] Run()
        {
            var rng = new Random(11);
            var batch = Enumerable.Range(0, 4 * H * W).Select(i => (float)((i * 7919 % 101) / 100.0)).ToArray();
            var targets = new float[4 * K];
            a.Apply(batch, 4, H, W, [0, 1, 2, 0], K, targets, 80, rng);
            return [.. batch, .. targets];
        }
        Assert.Equal(Run(), Run());
    }

    [Theory]
    [InlineData(-1, 4, 0, 0, 0, "--time-masks -1")]
    [InlineData(1, -2, 0, 0, 0, "--time-mask-width -2")]
    [InlineData(0, 0, -1, 0, 0, "--freq-masks -1")]
    [InlineData(0, 0, 0, -0.5, 0, "--mixup -0.5")]
    [InlineData(0, 0, 0, 0, -3, "--tilt -3")]
    public void Bad_values_name_their_option(int timeMasks, int timeWidth, int freqMasks, double mixup, double tilt, string expected)
    {
        var a = new Augmentation { TimeMasks = timeMasks, TimeMaskWidth = timeWidth, FrequencyMasks = freqMasks, MixupAlpha = mixup, TiltDb = tilt };
        Assert.Contains(a.Problems(), p => p.StartsWith(expected, StringComparison.Ordinal));
    }
}
