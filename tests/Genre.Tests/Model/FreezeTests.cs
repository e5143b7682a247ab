using Genre.Model;
using static TorchSharp.torch;

namespace Genre.Tests.Model;

/// <summary>GenreNet.FreezeForInference: weights cast once for inference, and never stale.</summary>
public class FreezeTests
{
    static GenreNet Network(long seed, Precision precision) =>
        new(Architecture.Create("compact", 4), seed) { Precision = precision, ChannelsLast = true };

    static Tensor Input() => rand([3, 1, 150, 150], generator: new Generator(9));

    static float[] Logits(GenreNet net)
    {
        net.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return net.call(Input()).data<float>().ToArray();
    }

    [Theory]
    [InlineData(Precision.Bf16)]
    [InlineData(Precision.Fp32)]
    public void Frozen_weights_compute_exactly_what_casting_in_each_pass_computes(Precision precision)
    {
        using var net = Network(3, precision);
        var cast = Logits(net);
        net.FreezeForInference();
        var frozen = Logits(net);
        Assert.Equal(cast, frozen);
    }

    [Fact]
    public void Training_thaws_a_frozen_network_so_it_sees_the_new_weights()
    {
        using var net = Network(3, Precision.Bf16);
        net.FreezeForInference();
        var before = Logits(net);
        net.train();
        using (var scope = NewDisposeScope())
        {
            using var optimizer = optim.SGD(net.parameters(), 0.5);
            var loss = nn.functional.cross_entropy(net.call(Input()), tensor(new long[] { 0, 1, 2 }));
            loss.backward();
            optimizer.step();
        }
        net.eval();
        var after = Logits(net); // would equal "before" if the old frozen weights were still used
        net.Thaw();
        Assert.Equal(Logits(net), after);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Loading_weights_thaws_a_frozen_network()
    {
        using var source = Network(5, Precision.Bf16);
        var expected = Logits(source);
        var path = Path.Combine(Path.GetTempPath(), $"genre-freeze-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelStore.SaveWeights(source, path);
            using var net = Network(3, Precision.Bf16);
            net.FreezeForInference();
            Assert.NotEqual(expected, Logits(net));
            ModelStore.LoadWeights(net, path);
            Assert.Equal(expected, Logits(net));
        }
        finally { File.Delete(path); }
    }
}
