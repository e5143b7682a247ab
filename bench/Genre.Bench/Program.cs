using System.Diagnostics;
using System.Globalization;
using Genre.Model;
using static TorchSharp.torch;

// Training-step and inference timing of our network, printed in the same format as
// bench/pytorch_train_step.py so that bench/train_step.sh can show both side by side.
// Usage: Genre.Bench train-step [--arch seed] [--batch 32] [--warmup 2] [--steps 5] [--modes fp32,cl,bf16,bf16cl]

var options = Args.Parse(args);
if (options.Command != "train-step")
{
    Console.Error.WriteLine("usage: Genre.Bench train-step [--arch seed|compact] [--batch 32] [--warmup 2] [--steps 5] [--modes fp32,cl,bf16,bf16cl]");
    return 2;
}
TorchRuntime.EnsureInitialized();
foreach (var mode in options.Modes.Split(',', StringSplitOptions.RemoveEmptyEntries))
    RunMode(mode);
return 0;

void RunMode(string mode)
{
manual_seed(0);
var arch = Architecture.Create(options.Arch, 10);
using var net = new GenreNet(arch, seed: 0)
{
    Precision = mode.StartsWith("bf16", StringComparison.Ordinal) ? Precision.Bf16 : Precision.Fp32,
    ChannelsLast = mode.EndsWith("cl", StringComparison.Ordinal),
};
using var optimizer = optim.Adam(net.parameters(), lr: 1e-4);
using var x = rand(options.Batch, 1, 150, 150);
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
    optimizer.zero_grad();
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
if (Environment.GetEnvironmentVariable("BENCH_PARTS") == "1") Console.WriteLine($"parts forward={parts[0]/options.Steps:F1} backward={parts[1]/options.Steps:F1} step={parts[2]/options.Steps:F1}");
string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
Console.WriteLine($"torchsharp arch={options.Arch} mode={mode} train_ms={F(train[0])} train_ms_median={F(train[train.Length / 2])} " +
    $"infer_ms={F(infer[0])} infer_ms_median={F(infer[infer.Length / 2])} train_samples_per_s={F(options.Batch * 1000 / train[train.Length / 2])} " +
    $"infer_samples_per_s={F(options.Batch * 1000 / infer[infer.Length / 2])} threads={TorchRuntime.Threads}");
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
