using System.Diagnostics;
using System.Globalization;
using Genre.Model;
using static TorchSharp.torch;

// Training-step and inference timing of our network, printed in the same format as
// bench/pytorch_train_step.py so that bench/train_step.sh can show both side by side.
// Usage: Genre.Bench train-step [--arch seed|compact|resnet] [--batch 32] [--warmup 2] [--steps 5] [--modes fp32,cl,bf16,bf16cl]
//        Genre.Bench explain --model MODEL_DIR --song FILE (ExplainBench.cs)
//        Genre.Bench layers [--steps 7] (LayerBench.cs)

if (args is ["web-load", ..]) return WebLoad.Run(args[1..]); // bench/web_load.sh: the web server under load and abuse
if (args.Length > 0 && args[0] == "explain") return ExplainBench.Run(args[1..]);
if (args is ["layers", ..]) return LayerBench.Run(args[1..]); // per-convolution split of a bf16 training step (LayerBench.cs)
var options = Args.Parse(args);
if (options.Command != "train-step")
{
    Console.Error.WriteLine("usage: Genre.Bench train-step [--arch seed|compact] [--batch 32] [--warmup 2] [--steps 5] [--modes fp32,cl,bf16,bf16cl]");
    return 2;
}
TorchRuntime.EnsureInitialized();
foreach (var mode in options.Modes.Split(',', StringSplitOptions.RemoveEmptyEntries))
    RunMode(mode);
Peak();
return 0;

void RunMode(string mode)
{
manual_seed(0);
var features = options.Arch == "resnet" ? Genre.Features.FeatureSettings.Default : Genre.Features.FeatureSettings.Tutorial; // each network's recipe input
var arch = Architecture.Create(options.Arch, 10, features.InputHeight, features.InputWidth);
using var net = new GenreNet(arch, seed: 0)
{
    Precision = mode.StartsWith("bf16", StringComparison.Ordinal) ? Precision.Bf16 : Precision.Fp32,
    ChannelsLast = mode.EndsWith("cl", StringComparison.Ordinal),
};
using var optimizer = new Genre.Training.FusedAdam(net.parameters(), lr: 1e-4);
using var x = rand(options.Batch, 1, features.InputHeight, features.InputWidth);
using var y = randint(0, 10, [options.Batch]);

double[] parts = new double[3];
double TimeTrainStep()
{
    net.train();
    var clock = Stopwatch.StartNew();
    using var scope = NewDisposeScope();
    var loss = nn.functional.cross_entropy(net.call(x), y);
    loss.item<float>();
    parts[0] += clock.Elapsed.TotalMilliseconds;
    var t = clock.Elapsed.TotalMilliseconds;
    net.zero_grad();
    loss.backward();
    parts[1] += clock.Elapsed.TotalMilliseconds - t;
    t = clock.Elapsed.TotalMilliseconds;
    optimizer.step();
    parts[2] += clock.Elapsed.TotalMilliseconds - t;
    return clock.Elapsed.TotalMilliseconds;
}

double TimeInference()
{
    net.eval();
    net.FreezeForInference(); // as predict and serve do
    var clock = Stopwatch.StartNew();
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    net.call(x).sum().item<float>();
    return clock.Elapsed.TotalMilliseconds;
}

for (int i = 0; i < options.Warmup; i++) { TimeTrainStep(); TimeInference(); }
Array.Clear(parts);
var train = Enumerable.Range(0, options.Steps).Select(_ => TimeTrainStep()).Order().ToArray();
var infer = Enumerable.Range(0, options.Steps).Select(_ => TimeInference()).Order().ToArray();
string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
Console.WriteLine($"torchsharp arch={options.Arch} mode={mode} train_ms={F(train[0])} train_ms_median={F(train[train.Length / 2])} " +
    $"infer_ms={F(infer[0])} infer_ms_median={F(infer[infer.Length / 2])} train_samples_per_s={F(options.Batch * 1000 / train[train.Length / 2])} " +
    $"infer_samples_per_s={F(options.Batch * 1000 / infer[infer.Length / 2])} threads={TorchRuntime.Threads} " +
    $"forward_ms={F(parts[0] / options.Steps)} backward_ms={F(parts[1] / options.Steps)} adam_ms={F(parts[2] / options.Steps)} " +
    $"gflop_train={F(3 * ForwardFlops(arch) * options.Batch / 1e9)} gflop_infer={F(ForwardFlops(arch) * options.Batch / 1e9)}");
}

/// <summary>Multiply-adds x 2 of one sample's forward pass (convolutions and dense layers); a training
/// step is about 3 times that (forward, input gradients, weight gradients).</summary>
static double ForwardFlops(Architecture arch)
{
    var shapes = arch.Shapes();
    double flops = 0;
    long inChannels = 1;
    for (int i = 0; i < arch.Layers.Count; i++)
    {
        long area = shapes[i].Height * shapes[i].Width, c = shapes[i].Channels;
        flops += arch.Layers[i] switch
        {
            ConvSpec or ConvBnSpec => 2.0 * area * inChannels * c * 9,
            ResidualSpec => 2.0 * area * (inChannels * c * 9 + c * c * 9 + (inChannels == c ? 0 : inChannels * c)),
            DenseSpec => 2.0 * inChannels * c,
            _ => 0,
        };
        inChannels = shapes[i].Channels;
    }
    return flops;
}

/// <summary>
/// The processor's float32 peak, measured: every core runs independent 512-bit fused multiply-adds
/// (16 lanes x 2 FLOP each), enough chains in flight to fill both FMA pipes. Clock figures of a virtual
/// machine with boost mean little; this is what the cores really do. bfloat16's VDPBF16PS has the same
/// throughput with two products per lane, so its peak is twice this.
/// </summary>
static void Peak()
{
    if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported) { Console.WriteLine("peak dtype=fp32 gflops=0 (no AVX-512)"); return; }
    const long iterations = 50_000_000;
    double best = 0;
    for (int round = 0; round < 3; round++)
    {
        var clock = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, _ => FmaChains(iterations));
        best = Math.Max(best, Environment.ProcessorCount * iterations * 8 * 32.0 / clock.Elapsed.TotalSeconds / 1e9);
    }
    Console.WriteLine($"peak dtype=fp32 gflops={best:F1}");
    Console.WriteLine($"peak dtype=bf16 gflops={2 * best:F1}");
}

static float FmaChains(long iterations)
{
    var m = System.Runtime.Intrinsics.Vector512.Create(0.999999f);
    var add = System.Runtime.Intrinsics.Vector512.Create(1e-7f);
    System.Runtime.Intrinsics.Vector512<float> a0 = add, a1 = add, a2 = add, a3 = add, a4 = add, a5 = add, a6 = add, a7 = add;
    for (long i = 0; i < iterations; i++)
    {
        a0 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a0, m, add);
        a1 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a1, m, add);
        a2 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a2, m, add);
        a3 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a3, m, add);
        a4 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a4, m, add);
        a5 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a5, m, add);
        a6 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a6, m, add);
        a7 = System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a7, m, add);
    }
    return System.Runtime.Intrinsics.Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
}

sealed record Args(string Command, string Arch, int Batch, int Warmup, int Steps, string Modes)
{
    public static Args Parse(string[] a)
    {
        string Get(string name, string fallback) { int i = Array.IndexOf(a, name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : fallback; }
        return new Args(a.Length > 0 ? a[0] : "", Get("--arch", "seed"), int.Parse(Get("--batch", "32")),
            int.Parse(Get("--warmup", "2")), int.Parse(Get("--steps", "5")), Get("--modes", "fp32,bf16,bf16cl"));
    }
}
