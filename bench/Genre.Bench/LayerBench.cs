using System.Diagnostics;
using System.Globalization;
using Genre.Model;
using static TorchSharp.torch;

/// <summary>
/// Where a bf16 channels-last training step of the seed network goes, per 3x3 convolution (batch 32):
/// forward, input gradient and weight gradient timed apart with libtorch's own kernels, each against the
/// cores' bf16 peak, and what the network's own path (SmallImageConv) does for the small images.
/// Usage: Genre.Bench layers [--steps 7]
/// </summary>
static class LayerBench
{
    public static int Run(string[] args)
    {
        int steps = args.Length >= 2 && args[0] == "--steps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        TorchRuntime.EnsureInitialized();
        var arch = Architecture.Create("seed", 10);
        var shapes = arch.Shapes();
        long inChannels = 1, side = arch.InputHeight;
        double total = 0;
        Console.WriteLine($"{"convolution",-22} {"forward",9} {"input grad",11} {"weight grad",12} {"GFLOP",6}  GFLOP/s fwd / dX / dW");
        for (int i = 0; i < arch.Layers.Count; i++)
        {
            if (arch.Layers[i] is ConvSpec conv)
            {
                var times = Time(inChannels, conv.Filters, side, conv.Same ? 1 : 0, steps);
                double gflop = 2.0 * 32 * shapes[i].Height * shapes[i].Width * inChannels * conv.Filters * 9 / 1e9;
                total += times.Forward + times.Input + times.Weight;
                Console.WriteLine($"{$"{inChannels}->{conv.Filters} @{side}x{side}",-22} {times.Forward,6:F1} ms {times.Input,8:F1} ms {times.Weight,9:F1} ms {gflop,6:F2}  " +
                    $"{gflop / times.Forward * 1000,4:F0} / {(inChannels == 1 ? "-" : $"{gflop / times.Input * 1000:F0}")} / {gflop / times.Weight * 1000:F0}" +
                    (times.Small is double small ? $"   (SmallImageConv: gradients {small:F1} ms)" : ""));
            }
            inChannels = arch.Layers[i] is ConvSpec c ? c.Filters : inChannels;
            side = shapes[i].Height;
        }
        Console.WriteLine($"all convolutions, libtorch's kernels: {total:F1} ms per step");
        return 0;
    }

    static double Median(int steps, Action work)
    {
        work(); work();
        var times = Enumerable.Range(0, steps).Select(_ => { var c = Stopwatch.StartNew(); work(); return c.Elapsed.TotalMilliseconds; }).Order().ToArray();
        return times[steps / 2];
    }

    /// <summary>Forward; forward + weight gradient; forward + both gradients: the differences are the parts.</summary>
    static (double Forward, double Input, double Weight, double? Small) Time(long cin, long cout, long side, long padding, int steps)
    {
        var bf16 = ScalarType.BFloat16;
        using var x = ChannelsLastLayout.Copy(randn(32, cin, side, side), bf16);
        using var w = ChannelsLastLayout.Copy(randn(cout, cin, 3, 3).mul_(0.05), bf16);
        using var b = zeros(cout, dtype: bf16);
        long outSide = side - 2 + 2 * padding;
        using var g = ChannelsLastLayout.Copy(randn(32, cout, outSide, outSide), bf16);
        double forward = Median(steps, () => { using var s = NewDisposeScope(); using var _ = no_grad(); nn.functional.conv2d(x, w, b, padding: [padding, padding]); });
        Tensor Leaf(Tensor t) => t.detach().requires_grad_();
        double withWeight = Median(steps, () => { using var s = NewDisposeScope(); nn.functional.conv2d(x, Leaf(w), Leaf(b), padding: [padding, padding]).backward([g]); });
        double withBoth = cin == 1 ? withWeight : Median(steps, () => { using var s = NewDisposeScope(); nn.functional.conv2d(Leaf(x), Leaf(w), Leaf(b), padding: [padding, padding]).backward([g]); });
        double? small = null;
        if (SmallImageConv.Applies(Leaf(x), w, b))
            small = Median(steps, () => { using var s = NewDisposeScope(); SmallImageConv.Forward(Leaf(x), Leaf(w), Leaf(b), padding).backward([g]); }) - forward;
        return (forward, withBoth - withWeight, withWeight - forward, small);
    }
}
