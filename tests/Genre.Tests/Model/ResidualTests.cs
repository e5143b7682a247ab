using Genre.Model;
using static TorchSharp.torch;

namespace Genre.Tests.Model;

public class ResidualTests
{
    [Fact]
    public void The_resnet_takes_chunks_of_any_length()
    {
        var arch = Architecture.Create("resnet", 10, 128, 87);
        Assert.True(arch.IsResidual);
        using var net = new GenreNet(arch, seed: 1);
        net.eval();
        using var _ = no_grad();
        foreach (int width in new[] { 87, 130, 300 })
        {
            using var x = rand([2, 1, 128, width]);
            Assert.Equal(new long[] { 2, 10 }, net.call(x).shape);
        }
        Assert.Equal(arch.TotalParameters, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Saved_weights_include_the_batch_norm_statistics_and_reload_exactly()
    {
        var arch = Architecture.Create("resnet", 4, 64, 40);
        using var net = new GenreNet(arch, seed: 2);
        net.train();
        using (no_grad()) for (int i = 0; i < 3; i++) net.call(rand([8, 1, 64, 40]) * 3 + 1); // moves the running statistics
        net.eval();
        using var input = rand([3, 1, 64, 40]);
        using var expected = net.call(input).detach();
        Assert.Contains(net.NamedWeights(), w => w.Name == "block1.bn1.running_mean");
        using var dir = new TempDir();
        ModelStore.SaveWeights(net, dir.File("w.safetensors"));
        using var copy = new GenreNet(arch, seed: 99);
        ModelStore.LoadWeights(copy, dir.File("w.safetensors"));
        copy.eval();
        Assert.True(copy.call(input).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Bfloat16_channels_last_agrees_with_float32()
    {
        var arch = Architecture.Create("resnet", 5, 128, 87);
        using var fp32 = new GenreNet(arch, seed: 3) { Precision = Precision.Fp32, ChannelsLast = false };
        using var bf16 = new GenreNet(arch, seed: 3) { Precision = Precision.Bf16 };
        fp32.eval();
        bf16.eval();
        using var _ = no_grad();
        using var x = rand([4, 1, 128, 87]);
        var a = nn.functional.softmax(fp32.call(x), 1);
        var b = nn.functional.softmax(bf16.call(x), 1);
        Assert.True((a - b).abs().max().item<float>() < 0.05f);
        Assert.Equal(a.argmax(1).data<long>().ToArray(), b.argmax(1).data<long>().ToArray());
    }

    [Fact]
    public void Training_steps_run_in_both_precisions()
    {
        foreach (var precision in new[] { Precision.Fp32, Precision.Bf16 })
        {
            using var net = new GenreNet(Architecture.Create("resnet", 3, 64, 40), seed: 4) { Precision = precision };
            net.train();
            using var opt = new Genre.Training.FusedAdam(net.parameters(), 1e-3, 1e-2);
            using var x = rand([6, 1, 64, 40]);
            using var y = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
            float first = 0, last = 0;
            for (int step = 0; step < 15; step++)
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(net.call(x), y);
                net.zero_grad();
                loss.backward();
                opt.step();
                if (step == 0) first = loss.item<float>();
                last = loss.item<float>();
            }
            Assert.True(last < first * 0.7, $"{precision}: loss {first} -> {last}");
        }
    }
}
