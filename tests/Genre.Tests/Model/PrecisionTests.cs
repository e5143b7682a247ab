using Genre.Data;
using Genre.Model;
using Genre.Training;
using static TorchSharp.torch;

namespace Genre.Tests.Model;

public class PrecisionTests(TinyData data) : IClassFixture<TinyData>
{
    [Theory]
    [InlineData("auto", "fpu sse2 avx2 avx512f avx512_bf16", Precision.Bf16)]
    [InlineData("auto", "fpu sse2 avx2 amx_bf16 amx_tile", Precision.Bf16)]
    [InlineData("auto", "fpu sse2 avx2 avx512f", Precision.Fp32)]
    [InlineData("auto", "", Precision.Fp32)]
    [InlineData("fp32", "avx512_bf16", Precision.Fp32)]
    [InlineData("bf16", "avx2", Precision.Bf16)]
    [InlineData("BF16", "", Precision.Bf16)]
    public void Auto_picks_bf16_only_where_the_processor_has_native_bfloat16(string choice, string flags, Precision expected)
    {
        var set = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Equal(expected, PrecisionChoice.Resolve(choice, set));
    }

    [Fact]
    public void An_unknown_precision_is_refused_by_name()
    {
        var e = Assert.Throws<GenreException>(() => PrecisionChoice.Resolve("fp16", new HashSet<string>()));
        Assert.Contains("fp16", e.Message);
    }

    /// <summary>Probabilities of a fixed input through a fixed (seeded) network in one arithmetic.</summary>
    static float[] Probabilities(Precision precision, bool channelsLast)
    {
        using var net = new GenreNet(Architecture.Create("compact", 6), seed: 11) { Precision = precision, ChannelsLast = channelsLast };
        net.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = rand([4, 1, 150, 150], generator: new Generator(5));
        return nn.functional.softmax(net.call(x), 1).data<float>().ToArray();
    }

    [Fact]
    public void Channels_last_computes_the_same_function()
    {
        var reference = Probabilities(Precision.Fp32, channelsLast: false);
        var channelsLast = Probabilities(Precision.Fp32, channelsLast: true);
        Assert.Equal(reference.Length, channelsLast.Length);
        Assert.All(reference.Zip(channelsLast), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-5));
    }

    [Fact]
    public void Bf16_forward_stays_within_a_stated_tolerance_of_fp32()
    {
        // bfloat16 keeps 8 significant bits (relative step 2^-8 = 0.4 %); through 9 layers of fixed random
        // weights the probabilities measured here differ by at most ~0.003. Tolerance: 0.02 absolute.
        var fp32 = Probabilities(Precision.Fp32, channelsLast: true);
        var bf16 = Probabilities(Precision.Bf16, channelsLast: true);
        double worst = fp32.Zip(bf16).Max(p => Math.Abs(p.First - p.Second));
        Assert.InRange(worst, 0, 0.02);
        Assert.NotEqual(fp32, bf16); // it really ran in another arithmetic
    }

    [Fact]
    public void A_short_bf16_run_learns_saves_float32_and_runs_in_either_precision()
    {
        string dir = data.NewDir("bf16");
        var options = new TrainingOptions
        {
            // as fp32 on this data, the loss plateaus for ~5 epochs before it falls: 8 epochs show learning
            Architecture = "compact", Epochs = 8, BatchSize = 8, LearningRate = 1e-3, ValidationFraction = 0.25, Seed = 7, Precision = Precision.Bf16,
        };
        var h = Trainer.Train(data.Set, options, dir).History;
        Assert.True(h.Loss[^1] < h.Loss[0] * 0.7, $"loss {h.Loss[0]:F3} -> {h.Loss[^1]:F3}");
        Assert.True(h.ValSongAccuracy.Max() > 0.6, $"song accuracy {h.ValSongAccuracy.Max():F2} (chance is 0.33)");

        var (tensors, _) = SafeTensors.Read(Path.Combine(dir, ModelStore.WeightsFile));
        Assert.NotEmpty(tensors);
        string header = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, ModelStore.WeightsFile)).AsSpan(8, 200));
        Assert.Contains("\"F32\"", header);
        Assert.DoesNotContain("BF16", header);
        Assert.Equal(Precision.Bf16, ModelConfig.Load(Path.Combine(dir, ModelStore.ConfigFile)).TrainingPrecision);

        var split = SongSplit.FromValidationSongs(data.Set, SplitRecord.Load(Path.Combine(dir, ModelStore.SplitFile)).Validation.ToHashSet());
        using var asFp32 = ModelStore.Load(dir, Precision.Fp32);
        using var asBf16 = ModelStore.Load(dir, Precision.Bf16);
        var p32 = Scoring.Score(asFp32.Network, data.Set, split.ValidationChunks, asFp32.Config.Normalization).Probabilities;
        var p16 = Scoring.Score(asBf16.Network, data.Set, split.ValidationChunks, asBf16.Config.Normalization).Probabilities;
        Assert.Equal(Scoring.SongAccuracy(data.Set, split.ValidationChunks, p32), Scoring.SongAccuracy(data.Set, split.ValidationChunks, p16));
    }

    [Fact]
    public void Bf16_training_reaches_the_song_accuracy_of_fp32_with_the_same_seed()
    {
        var options = Recipes.Default.Training.WithEpochs(6) with { BatchSize = 16, ValidationFraction = 0.25, Seed = 3 };
        double Best(Precision p) => Trainer.Train(data.Set, options with { Precision = p }, data.NewDir(p.ToString())).History.ValSongAccuracy.Max();
        double fp32 = Best(Precision.Fp32), bf16 = Best(Precision.Bf16);
        Assert.True(fp32 > 0.6, $"fp32 song accuracy {fp32:F2}");
        Assert.InRange(bf16, fp32 - 0.02, 1.0);
    }
}
