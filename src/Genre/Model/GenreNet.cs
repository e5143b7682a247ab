using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Genre.Model;

/// <summary>
/// The convolutional network built from an <see cref="Architecture"/>: channels-first input
/// (batch, 1, height, width), logits out (softmax is applied by prediction and inside the loss).
/// Kernels of the Keras-family networks (seed, compact) start Glorot-uniform and biases at zero, as in Keras:
/// with dB input this trains reliably where PyTorch's default initialisation stalls (FINDINGS). The residual
/// network, normalised by its batch norms, starts as PyTorch's layers do.
/// </summary>
public sealed class GenreNet : Module<Tensor, Tensor>
{
    readonly Sequential layers;
    readonly Generator _random;
    /// <summary>Padding of each convolution ("same" = 1), for the mixed-precision forward pass.</summary>
    readonly Dictionary<Module, long> _convPadding = new(ReferenceEqualityComparer.Instance);
    readonly int _lastConvEnd; // modules up to and including the last convolution's ReLU

    public Architecture Architecture { get; }

    /// <summary>Arithmetic of convolutions and dense layers; parameters stay float32 either way.</summary>
    public Precision Precision { get => _precision; set { _precision = value; Thaw(); } }
    Precision _precision = Precision.Fp32;

    /// <summary>The weights in the forward pass's type and layout, made once by <see cref="FreezeForInference"/>.</summary>
    Dictionary<Tensor, Tensor>? _frozenWeights;

    /// <summary>
    /// Keeps activations in NHWC memory order (shapes unchanged), which oneDNN's convolutions prefer:
    /// PyTorch's memory_format=channels_last. The float32 parameters stay contiguous, because TorchSharp
    /// can only save contiguous optimiser state; each forward pass lays the kernels out anew (one copy,
    /// fused with the bfloat16 cast).
    /// </summary>
    public bool ChannelsLast { get => _channelsLast; set { _channelsLast = value; Thaw(); } }
    bool _channelsLast;

    /// <param name="seed">Seeds this network's own random generator: initial weights and dropout masks.</param>
    public GenreNet(Architecture architecture, long seed = 0) : base(TorchRuntime.Ready($"GenreNet_{architecture.Name}"))
    {
        Architecture = architecture;
        _random = new Generator((ulong)seed);
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        long inChannels = 1;
        var shapes = architecture.Shapes();
        var ops = new LayerOps((x, conv) => Convolve(x, conv, Precision == Precision.Bf16), Normalize);
        for (int i = 0; i < architecture.Layers.Count; i++)
        {
            var spec = architecture.Layers[i];
            switch (spec)
            {
                case ConvSpec c:
                    var conv = c.Same ? Conv2d(inChannels, c.Filters, 3, Padding.Same) : Conv2d(inChannels, c.Filters, 3);
                    _convPadding[conv] = c.Same ? 1 : 0;
                    modules.Add((c.Name, conv));
                    modules.Add((c.Name + "_relu", ReLU()));
                    _lastConvEnd = modules.Count;
                    break;
                case MaxPoolSpec p: modules.Add((p.Name, MaxPool2d(2))); break;
                case DropoutSpec d: modules.Add((d.Name, new SeededDropout(d.Name, d.Rate, _random))); break;
                case FlattenSpec f: modules.Add((f.Name, Flatten())); break;
                case DenseSpec d:
                    modules.Add((d.Name, Linear(inChannels, d.Units)));
                    if (d.Relu) modules.Add((d.Name + "_relu", ReLU()));
                    break;
                case ConvBnSpec c:
                    var convBn = new ConvBn(c.Name, inChannels, c.Filters, ops);
                    _convPadding[convBn.Conv] = 1;
                    modules.Add((c.Name, convBn));
                    modules.Add((c.Name + "_relu", ReLU()));
                    _lastConvEnd = modules.Count;
                    break;
                case ResidualSpec r:
                    var block = new ResidualBlock(r.Name, inChannels, r.Filters, ops);
                    foreach (var (blockConv, padding) in block.Convolutions()) _convPadding[blockConv] = padding;
                    modules.Add((r.Name, block));
                    _lastConvEnd = modules.Count;
                    break;
                case GlobalPoolSpec g: modules.Add((g.Name, new GlobalPool(g.Name))); break;
            }
            inChannels = shapes[i].Channels;
        }
        layers = Sequential(modules);
        RegisterComponents();
        if (architecture.IsResidual) InitialiseLikePyTorch(); else InitialiseLikeKeras();
        ChannelsLast = true; // measured faster in both precisions, training and inference (README, Performance)
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

    /// <summary>PyTorch's defaults, drawn from this network's generator: kernels, dense weights and biases uniform in
    /// +-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)); batch norms scale 1, shift 0.</summary>
    void InitialiseLikePyTorch()
    {
        using var _ = no_grad();
        void Uniform(Tensor? p, long fanIn)
        {
            if (p is null) return;
            double limit = 1 / Math.Sqrt(fanIn);
            using var u = rand(p.shape, generator: _random);
            p.copy_(u.mul_(2 * limit).sub_(limit));
        }
        foreach (var module in modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.Conv2d convolution:
                    long fanIn = convolution.weight!.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                    Uniform(convolution.weight, fanIn);
                    Uniform(convolution.bias, fanIn);
                    break;
                case TorchSharp.Modules.Linear dense:
                    Uniform(dense.weight, dense.weight!.shape[1]);
                    Uniform(dense.bias, dense.weight.shape[1]);
                    break;
                case TorchSharp.Modules.BatchNorm2d norm:
                    norm.weight!.fill_(1);
                    norm.bias!.zero_();
                    break;
            }
        }
    }

    /// <summary>Batch normalisation in the forward pass's type: libtorch normalises bfloat16 input with the float32
    /// scale, shift and running statistics directly, so the statistics keep their precision.</summary>
    Tensor Normalize(Tensor x, TorchSharp.Modules.BatchNorm2d norm) =>
        nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, norm.training, 0.1, 1e-5);

    /// <summary>
    /// For inference: casts and lays out the weights once, where each forward pass would otherwise redo it (7 million
    /// parameters for the seed network: 4-13 ms of a 100-125 ms batch in bfloat16). Only evaluation mode uses them, and
    /// the weights must not change while frozen: <c>train()</c>, <see cref="ModelStore.LoadWeights"/> and a change of
    /// <see cref="Precision"/> or <see cref="ChannelsLast"/> thaw the network. Does nothing when already frozen.
    /// </summary>
    public void FreezeForInference()
    {
        if (_frozenWeights is not null) return;
        bool bf16 = Precision == Precision.Bf16;
        var frozen = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using var _ = no_grad();
        void Keep(Tensor? parameter, Tensor? value)
        {
            if (parameter is null || value is null) return;
            frozen[parameter] = (ReferenceEquals(value, parameter) ? value.detach() : value).DetachFromDisposeScope();
        }
        foreach (var module in layers.modules())
        {
            if (module is TorchSharp.Modules.Conv2d conv) { Keep(conv.weight, Kernel(conv.weight!, bf16)); Keep(conv.bias, Cast(conv.bias, bf16)); }
            if (module is TorchSharp.Modules.Linear dense) { Keep(dense.weight, Cast(dense.weight, bf16)); Keep(dense.bias, Cast(dense.bias, bf16)); }
        }
        _frozenWeights = frozen;
    }

    /// <summary>Drops the weights made by <see cref="FreezeForInference"/>; the next passes cast from the parameters again.</summary>
    public void Thaw()
    {
        if (_frozenWeights is null) return;
        foreach (var t in _frozenWeights.Values) t.Dispose();
        _frozenWeights = null;
    }

    public override void train(bool on = true)
    {
        if (on) Thaw();
        base.train(on);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Thaw();
        base.Dispose(disposing);
    }

    /// <summary>Restarts the dropout masks' random sequence (the trainer does this every epoch).</summary>
    public void Reseed(long seed) => _random.manual_seed(seed);

    public override Tensor forward(Tensor input) => Modules(input, 0, int.MaxValue);

    /// <summary>
    /// The forward pass of PyTorch's CPU autocast, which TorchSharp lacks: each convolution and dense layer
    /// casts its input, weight and bias to bfloat16, and the logits come back as float32. Autograd carries
    /// the casts, so gradients reach the float32 master weights and Adam never sees bfloat16.
    /// </summary>
    Tensor MixedForward(Tensor input, int fromModule, int toModule)
    {
        bool bf16 = Precision == Precision.Bf16;
        var type = bf16 ? ScalarType.BFloat16 : input.dtype;
        var x = ChannelsLast ? ChannelsLastLayout.Copy(input, type) : input.to(type); // layout and cast in one pass
        var modules = layers.children().Skip(fromModule).Take(toModule - fromModule).ToList();
        for (int i = 0; i < modules.Count; i++)
        {
            // a convolution's ReLU and the pooling after it, in one pass (ReluMaxPool: the two commute)
            if (modules[i] is TorchSharp.Modules.ReLU && i + 1 < modules.Count && modules[i + 1] is TorchSharp.Modules.MaxPool2d
                && ReluMaxPool.Applies(x))
            {
                x = ReluMaxPool.Forward(x);
                i++;
                continue;
            }
            x = modules[i] switch
            {
                TorchSharp.Modules.Conv2d conv => Convolve(x, conv, bf16),
                TorchSharp.Modules.Linear dense => nn.functional.linear(x, Cast(dense.weight, bf16)!, Cast(dense.bias, bf16)),
                // in place: the convolution's or dense layer's output is fresh, and ReLU's backward needs only its result
                TorchSharp.Modules.ReLU => x.relu_(),
                Module<Tensor, Tensor> other => other.call(x),
                _ => throw new InvalidOperationException($"unexpected layer {modules[i].GetName()}"),
            };
        }
        return bf16 ? x.to(ScalarType.Float32) : x;
    }

    Tensor Convolve(Tensor x, TorchSharp.Modules.Conv2d conv, bool bf16)
    {
        var (kernel, bias, padding) = (Kernel(conv.weight!, bf16), Cast(conv.bias, bf16), _convPadding[conv]);
        return SmallImageConv.Applies(x, kernel, bias) ? SmallImageConv.Forward(x, kernel, bias!, padding)
            : nn.functional.conv2d(x, kernel, bias, padding: [padding, padding]);
    }

    /// <summary>A convolution kernel in the forward pass's layout and type: the frozen one, or one differentiable copy.</summary>
    Tensor Kernel(Tensor weight, bool bf16)
    {
        if (!ChannelsLast) return Cast(weight, bf16)!;
        return Frozen(weight) ?? ChannelsLastLayout.Copy(weight, bf16 ? ScalarType.BFloat16 : ScalarType.Float32);
    }

    /// <summary>A weight or bias in the forward pass's type: the frozen one, or a differentiable cast.</summary>
    Tensor? Cast(Tensor? t, bool bf16) => Frozen(t) ?? (t is null || !bf16 ? t : t.to(ScalarType.BFloat16));

    /// <summary>The frozen copy of a parameter, in evaluation mode after <see cref="FreezeForInference"/> (none while freezing).</summary>
    Tensor? Frozen(Tensor? parameter) => parameter is not null && !training && _frozenWeights?.GetValueOrDefault(parameter) is Tensor t ? t : null;

    /// <summary>The activations of the last convolution block (after its ReLU; float32): what Grad-CAM weighs.
    /// <c>forward(x) == Head(ConvFeatures(x))</c>.</summary>
    public Tensor ConvFeatures(Tensor input) => Modules(input, 0, _lastConvEnd);

    /// <summary>The rest of the network, from the last convolution block's activations to the logits.</summary>
    public Tensor Head(Tensor convFeatures) => Modules(convFeatures, _lastConvEnd, int.MaxValue);

    /// <summary>True for the weights of the head: the dense layers, which transfer to other genres replaces.</summary>
    public bool IsHeadWeight(string name)
    {
        int dot = name.IndexOf('.');
        string layer = dot < 0 ? name : name[..dot];
        return Architecture.Layers.Any(l => l is DenseSpec && l.Name == layer);
    }

    /// <summary>Puts the layers up to the last convolution block in evaluation mode (a frozen body: its batch
    /// norms keep their statistics, its dropout is off), leaving the head as it is.</summary>
    public void BodyToEvaluation()
    {
        foreach (var module in layers.children().Take(_lastConvEnd)) module.eval();
    }

    /// <summary>Layers [from, to) of the network: the plain float32 NCHW path, or the mixed one.</summary>
    Tensor Modules(Tensor x, int from, int to)
    {
        if (Precision != Precision.Fp32 || ChannelsLast) return MixedForward(x, from, to);
        foreach (var m in layers.children().Skip(from).Take(to - from)) x = ((Module<Tensor, Tensor>)m).call(x);
        return x;
    }

    /// <summary>Parameter names in a stable order, e.g. "conv2d.weight", "dense_1.bias" (prefix "layers." removed), then the
    /// batch norms' running statistics ("block1.bn1.running_mean"): everything a saved model needs. The batch counter
    /// (an integer buffer that nothing here reads) is left out.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedWeights() =>
        named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => (b.name, b.buffer)))
            .Select(w => (w.Item1.StartsWith("layers.", StringComparison.Ordinal) ? w.Item1["layers.".Length..] : w.Item1, w.Item2));
}
