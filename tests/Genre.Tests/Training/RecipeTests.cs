using Genre.Features;
using Genre.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Genre.Tests.Training;

public class RecipeTests
{
    [Fact]
    public void The_tutorial_recipe_is_the_tutorial_and_the_default_is_valid()
    {
        var t = Recipes.Tutorial.Training;
        Assert.Equal(("seed", 30, 32, 1e-4, 0.0, 0.0), (t.Architecture, t.Epochs, t.BatchSize, t.LearningRate, t.WeightDecay, t.LabelSmoothing));
        Assert.True(t.Augmentation.IsNone);
        Assert.False(t.RandomCrops);
        Assert.Equal(LearningSchedule.Constant, t.Schedule);
        Assert.Equal(FeatureSettings.Tutorial, Recipes.Tutorial.Features);
        foreach (var r in Recipes.All)
        {
            Assert.Empty(r.Training.Problems());
            Assert.Empty(r.Training.ProblemsWith(r.Features));
            Assert.Empty(r.Features.Problems());
        }
        Assert.Throws<GenreException>(() => Recipes.Get("nope"));
    }

    [Fact]
    public void Warm_up_rises_linearly_then_the_cosine_falls_to_zero()
    {
        var o = new TrainingOptions { Epochs = 10, WarmupEpochs = 2, LearningRate = 1.0, Schedule = LearningSchedule.Cosine };
        var lr = new LearningRate(o, batchesPerEpoch: 5);
        Assert.Equal(0.1, lr.At(1, 0), 12);
        Assert.Equal(1.0, lr.At(2, 4), 12);      // the last warm-up step reaches the peak
        Assert.Equal(1.0, lr.At(3, 0), 12);      // the cosine starts at the peak
        Assert.Equal(0.5, lr.At(7, 0), 12);      // half way through the 40 cosine steps
        Assert.True(lr.At(10, 4) < 0.002);
        var constant = new LearningRate(new TrainingOptions { Epochs = 3, LearningRate = 1e-4 }, 7);
        Assert.All(Enumerable.Range(0, 7), b => Assert.Equal(1e-4, constant.At(2, b)));
    }

    [Fact]
    public void Log_averaging_is_the_normalised_geometric_mean()
    {
        float[] chunks = [0.6f, 0.4f, 0.6f, 0.4f, 0.01f, 0.99f]; // two chunks like a, one sure of b
        var mean = SongAverage.Of(chunks, 2, SongAveraging.Probabilities);
        var log = SongAverage.Of(chunks, 2, SongAveraging.Log);
        Assert.Equal(0.4033f, mean[0], 3);
        Assert.True(mean[1] > mean[0]);
        double a = Math.Pow(0.6 * 0.6 * 0.01, 1 / 3.0), b = Math.Pow(0.4 * 0.4 * 0.99, 1 / 3.0);
        Assert.Equal(a / (a + b), log[0], 5);
        Assert.Equal(1f, log.Sum(), 5);
    }

    [Fact]
    public void Early_stopping_waits_for_patience_epochs_without_a_lower_validation_loss()
    {
        var h = new History();
        foreach (var loss in new[] { 1.0, 0.8, 0.9, 0.85 })
            h.Add(new EpochReport(h.Epochs + 1, 10, 1, 0.5, loss, 0.5, 0.5, 1, false));
        Assert.False(Trainer.EarlyStop(h, 3));
        Assert.True(Trainer.EarlyStop(h, 2));
        Assert.False(Trainer.EarlyStop(h, 0));
        Assert.Equal(2, h.BestEpochByLoss());
    }

    [Fact]
    public void Fused_adamw_matches_the_decoupled_update_of_pytorch()
    {
        // PyTorch's AdamW: p *= 1 - lr*wd, then Adam's step; checked against the same arithmetic in tensor operations.
        var start = new float[] { 0.5f, -1.25f, 2f, 0.1f, -0.3f, 0.7f, 1.1f, -2.2f, 0.05f };
        var grads = new[] { new float[] { 0.1f, -0.2f, 0.3f, 0.05f, -0.5f, 0.2f, 0.9f, -0.1f, 0.0f }, new float[] { -0.3f, 0.1f, 0.2f, 0.4f, 0.1f, -0.6f, 0.2f, 0.3f, 0.5f } };
        using var p = new TorchSharp.Modules.Parameter(tensor(start));
        using var adamw = new FusedAdam([p], 0.01, decoupledWeightDecay: 0.1);
        var expected = start.Select(v => (double)v).ToArray();
        double[] m = new double[9], v = new double[9];
        for (int t = 1; t <= grads.Length; t++)
        {
            p.grad = tensor(grads[t - 1]);
            adamw.step();
            for (int i = 0; i < 9; i++)
            {
                double g = grads[t - 1][i];
                expected[i] *= 1 - 0.01 * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                expected[i] -= 0.01 / (1 - Math.Pow(0.9, t)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(0.999, t)) + 1e-8);
            }
        }
        var actual = p.data<float>().ToArray();
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.WeightDecay), -0.1, "--weight-decay")]
    [InlineData(nameof(TrainingOptions.LabelSmoothing), 1.0, "--label-smoothing")]
    [InlineData(nameof(TrainingOptions.WarmupEpochs), 40.0, "--warmup")]
    [InlineData(nameof(TrainingOptions.Patience), -1.0, "--patience")]
    public void Bad_values_name_their_option(string field, double value, string option)
    {
        var o = Recipes.Default.Training;
        o = field switch
        {
            nameof(TrainingOptions.WeightDecay) => o with { WeightDecay = value },
            nameof(TrainingOptions.LabelSmoothing) => o with { LabelSmoothing = value },
            nameof(TrainingOptions.WarmupEpochs) => o with { WarmupEpochs = (int)value },
            _ => o with { Patience = (int)value },
        };
        Assert.Contains(o.Problems(), p => p.StartsWith(option, StringComparison.Ordinal));
    }

    [Fact]
    public void Random_crops_and_level_changes_need_song_features()
    {
        var o = Recipes.Default.Training;
        Assert.Contains(o.ProblemsWith(FeatureSettings.Tutorial), p => p.Contains("--crops random"));
        var tilted = o with { Augmentation = o.Augmentation with { TiltDb = 10 } };
        Assert.Contains(tilted.ProblemsWith(FeatureSettings.Tutorial with { Scale = MelScale.Power }), p => p.Contains("--tilt"));
        Assert.Empty((o with { RandomCrops = false }).ProblemsWith(FeatureSettings.Tutorial));
    }
}
