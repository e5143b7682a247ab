using Genre.Model;
using Genre.Training;
using static TorchSharp.torch;

namespace Genre.Tests.Model;

/// <summary>The hand-written passes that replace libtorch operations in training (ReluMaxPool, SeededDropout's
/// mask, FusedAdam) against the operations they replace.</summary>
public class FusedKernelTests
{
    [Theory]
    [InlineData(ScalarType.BFloat16, 32, 12, 12)]
    [InlineData(ScalarType.BFloat16, 20, 9, 7)]   // odd sizes: the last row and column take no part, as in floor pooling
    [InlineData(ScalarType.Float32, 16, 10, 10)]
    [InlineData(ScalarType.Float32, 3, 5, 6)]     // fewer channels than one vector: the scalar tail
    public void Relu_max_pool_equals_relu_then_max_pool2d_forward_and_backward(ScalarType type, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        // small integers make ties (and windows that are all negative) common: the first maximum takes the gradient
        var x = ChannelsLastLayout.Copy(randint(-3, 4, [4, channels, height, width], generator: generator), type);
        var grad = ChannelsLastLayout.Copy(randn([4, channels, height / 2, width / 2], generator: generator), type);
        Assert.True(ReluMaxPool.Applies(x));

        var a = x.detach().requires_grad_();
        var expected = nn.functional.max_pool2d(a.relu(), 2);
        expected.backward([grad]);
        var b = x.detach().requires_grad_();
        var actual = ReluMaxPool.Forward(b);
        actual.backward([grad]);

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), "pooled values differ");
        Assert.True(a.grad!.eq(b.grad!).all().item<bool>(), "gradients differ");
        Assert.True(ChannelsLastLayout.Is(b.grad!), "the gradient should stay channels-last");
    }

    [Fact]
    public void Relu_max_pool_declines_what_it_cannot_read()
    {
        using var scope = NewDisposeScope();
        Assert.False(ReluMaxPool.Applies(randn(2, 8, 6, 6)));                                   // NCHW
        Assert.False(ReluMaxPool.Applies(ChannelsLastLayout.Copy(randn(2, 8, 6, 6), ScalarType.Float64)));
        Assert.False(ReluMaxPool.Applies(ChannelsLastLayout.Copy(randn(2, 8, 1, 6))));                      // nothing to pool
    }

    [Fact]
    public void Dropout_keeps_the_stated_fraction_scales_the_rest_and_repeats_with_the_seed()
    {
        using var scope = NewDisposeScope();
        float[] Run(long seed, out double kept)
        {
            var dropout = new SeededDropout("d", 0.3, new Generator((ulong)seed));
            dropout.train();
            var x = ChannelsLastLayout.Copy(ones(8, 64, 17, 17));
            var y = dropout.call(x);
            Assert.True(ChannelsLastLayout.Is(y), "the output should stay channels-last");
            var values = y.flatten().data<float>().ToArray();
            kept = values.Count(v => v != 0) / (double)values.Length;
            Assert.All(values, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-6, $"unexpected value {v}"));
            return values;
        }
        var first = Run(5, out double kept);
        Assert.InRange(kept, 0.69, 0.71); // 147,968 draws: 0.7 +- 4 standard deviations
        Assert.Equal(first, Run(5, out _));
        Assert.NotEqual(first, Run(6, out _));
    }

    [Fact]
    public void Fused_adam_takes_the_same_steps_as_torchsharps_adam()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(9);
        var start = new[] { randn([300, 70], generator: generator), randn([5], generator: generator), randn([40000], generator: generator) };
        var grads = Enumerable.Range(0, 3).Select(_ => start.Select(p => randn(p.shape, generator: generator)).ToArray()).ToArray();
        Tensor[] Train(Func<IEnumerable<TorchSharp.Modules.Parameter>, TorchSharp.Modules.OptimizerHelper> make)
        {
            var ps = start.Select(t => new TorchSharp.Modules.Parameter(t.clone())).ToArray();
            var optimizer = make(ps);
            foreach (var step in grads)
            {
                for (int i = 0; i < ps.Length; i++) ps[i].grad = step[i].clone();
                optimizer.step();
            }
            return ps;
        }
        var expected = Train(ps => optim.Adam(ps, lr: 0.01));
        var actual = Train(ps => new FusedAdam(ps, lr: 0.01));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(expected[i].allclose(start[i]), "the parameters should have moved");
            Assert.True(expected[i].allclose(actual[i], rtol: 1e-5, atol: 1e-6), $"parameter {i} differs");
        }
    }

    [Theory]
    [InlineData(1)] // "same"
    [InlineData(0)] // "valid"
    public void Small_image_conv_has_libtorchs_gradients(long padding)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(4);
        // float32 here for a tight comparison; the network uses it in bfloat16, where the path is faster
        var x = ChannelsLastLayout.Copy(randn([6, 24, 7, 7], generator: generator));
        var kernel = ChannelsLastLayout.Copy(randn([40, 24, 3, 3], generator: generator));
        var bias = randn([40], generator: generator);
        long side = 7 - 2 + 2 * padding;
        var grad = ChannelsLastLayout.Copy(randn([6, 40, side, side], generator: generator));

        (Tensor Output, Tensor[] Grads) Run(Func<Tensor, Tensor, Tensor, Tensor> conv)
        {
            var inputs = new[] { x, kernel, bias }.Select(t => t.detach().requires_grad_()).ToArray();
            var output = conv(inputs[0], inputs[1], inputs[2]);
            output.backward([grad]);
            return (output, inputs.Select(t => t.grad!).ToArray());
        }
        var expected = Run((a, k, b) => nn.functional.conv2d(a, k, b, padding: [padding, padding]));
        var actual = Run((a, k, b) => SmallImageConv.Forward(a, k, b, padding));
        Assert.True(expected.Output.allclose(actual.Output, rtol: 1e-4, atol: 1e-4));
        foreach (var (e, a, name) in expected.Grads.Zip(actual.Grads, ["input", "kernel", "bias"]))
            Assert.True(e.allclose(a, rtol: 1e-4, atol: 1e-3), $"{name} gradient differs by {(e - a).abs().max().item<float>()}");
        Assert.True(SmallImageConv.Applies(x.to(ScalarType.BFloat16).requires_grad_(), kernel, bias));
        Assert.False(SmallImageConv.Applies(x.to(ScalarType.BFloat16), kernel, bias), "inference keeps libtorch's convolution");
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, 40, 24)]
    [InlineData(ScalarType.Float32, 70, 33)]
    [InlineData(ScalarType.BFloat16, 130, 100)] // partial 64x64 tiles in both directions
    public void The_input_gradients_kernel_is_the_flipped_transposed_kernel_exactly(ScalarType type, long outChannels, long inChannels)
    {
        using var scope = NewDisposeScope();
        var kernel = ChannelsLastLayout.Copy(randn([outChannels, inChannels, 3, 3], generator: new Generator(8)), type);
        var flipped = SmallImageConv.FlippedTransposed(kernel);
        Assert.True(ChannelsLastLayout.Is(flipped));
        Assert.Equal(new[] { inChannels, outChannels, 3L, 3L }, flipped.shape);
        Assert.True(flipped.eq(kernel.flip(2, 3).transpose(0, 1)).all().item<bool>());
    }
}
