using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Genre.Model;

/// <summary>
/// The convolutional network built from an <see cref="Architecture"/>: channels-first input
/// (batch, 1, height, width), logits out (softmax is applied by prediction and inside the loss).
/// Kernels start Glorot-uniform and biases at zero, as in Keras: with dB input this trains
/// reliably where PyTorch's default initialisation stalls (FINDINGS).
/// </summary>
public sealed class GenreNet : Module<Tensor, Tensor>
{
    readonly Sequential layers;
    readonly Generator _random;

    public Architecture Architecture { get; }

    /// <param name="seed">Seeds this network's own random generator: initial weights and dropout masks.</param>
    public GenreNet(Architecture architecture, long seed = 0) : base(TorchRuntime.Ready($"GenreNet_{architecture.Name}"))
    {
        Architecture = architecture;
        _random = new Generator((ulong)seed);
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        long inChannels = 1;
        var shapes = architecture.Shapes();
        for (int i = 0; i < architecture.Layers.Count; i++)
        {
            var spec = architecture.Layers[i];
            switch (spec)
            {
                case ConvSpec c:
                    modules.Add((c.Name, c.Same ? Conv2d(inChannels, c.Filters, 3, Padding.Same) : Conv2d(inChannels, c.Filters, 3)));
                    modules.Add((c.Name + "_relu", ReLU()));
                    break;
                case MaxPoolSpec p: modules.Add((p.Name, MaxPool2d(2))); break;
                case DropoutSpec d: modules.Add((d.Name, new SeededDropout(d.Name, d.Rate, _random))); break;
                case FlattenSpec f: modules.Add((f.Name, Flatten())); break;
                case DenseSpec d:
                    modules.Add((d.Name, Linear(inChannels, d.Units)));
                    if (d.Relu) modules.Add((d.Name + "_relu", ReLU()));
                    break;
            }
            inChannels = shapes[i].Channels;
        }
        layers = Sequential(modules);
        RegisterComponents();
        InitialiseLikeKeras();
    }

    /// <summary>Glorot-uniform kernels (limit sqrt(6 / (fan_in + fan_out))) and zero biases, from this network's generator.</summary>
    void InitialiseLikeKeras()
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (!name.EndsWith(".weight", StringComparison.Ordinal)) { p.zero_(); continue; }
            long receptive = p.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
            double limit = Math.Sqrt(6.0 / (p.shape[1] * receptive + p.shape[0] * receptive));
            using var u = rand(p.shape, generator: _random);
            p.copy_(u.mul_(2 * limit).sub_(limit));
        }
    }

    /// <summary>Restarts the dropout masks' random sequence (the trainer does this every epoch).</summary>
    public void Reseed(long seed) => _random.manual_seed(seed);

    public override Tensor forward(Tensor input) => layers.call(input);

    /// <summary>Parameter names in a stable order, e.g. "conv2d.weight", "dense_1.bias" (prefix "layers." removed).</summary>
    public IEnumerable<(string Name, Parameter Value)> NamedWeights() =>
        named_parameters().Select(p => (p.name.StartsWith("layers.", StringComparison.Ordinal) ? p.name["layers.".Length..] : p.name, p.parameter));
}
