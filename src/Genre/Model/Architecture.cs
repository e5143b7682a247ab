namespace Genre.Model;

/// <summary>One layer of a network description; the network is a plain list of these, read top to bottom.</summary>
public abstract record LayerSpec(string Name);
/// <summary>3x3 convolution with ReLU; <paramref name="Same"/> pads to keep the size, otherwise "valid".</summary>
public sealed record ConvSpec(string Name, int Filters, bool Same) : LayerSpec(Name);
public sealed record MaxPoolSpec(string Name) : LayerSpec(Name);
public sealed record DropoutSpec(string Name, double Rate) : LayerSpec(Name);
public sealed record FlattenSpec(string Name) : LayerSpec(Name);
/// <summary>Fully connected layer; ReLU unless it is the output layer (softmax at prediction).</summary>
public sealed record DenseSpec(string Name, int Units, bool Relu) : LayerSpec(Name);
/// <summary>3x3 convolution (same, no bias), batch normalisation, ReLU.</summary>
public sealed record ConvBnSpec(string Name, int Filters) : LayerSpec(Name);
/// <summary>A residual block (He et al. 2016): two 3x3 convolutions with batch normalisation, added to its input
/// (through a 1x1 convolution with batch normalisation when the channel count changes), then ReLU.</summary>
public sealed record ResidualSpec(string Name, int Filters) : LayerSpec(Name);
/// <summary>Mean over the frequency axis, then mean and maximum over time, side by side: 2 x channels features
/// whatever the chunk's length.</summary>
public sealed record GlobalPoolSpec(string Name) : LayerSpec(Name);

/// <summary>Shape of one layer's output (channels, height, width), or (units, 1, 1) after Flatten.</summary>
public readonly record struct LayerShape(int Channels, int Height, int Width)
{
    public bool IsFlat => Height == 1 && Width == 1;
    public override string ToString() => IsFlat ? $"(None, {Channels})" : $"(None, {Height}, {Width}, {Channels})";
}

/// <summary>
/// The networks this library trains. "seed" is the tutorial's Keras network (7,182,458 parameters for
/// 10 genres on 150x150); "compact" is the same family, much smaller, for CPU demos and tests; their layer
/// names follow Keras' automatic names, so weights map one to one onto a Keras model. "resnet" is built for
/// small data: batch normalisation, residual blocks and global pooling (any chunk length), about 0.6 M
/// parameters (docs/accuracy.md).
/// </summary>
public sealed record Architecture(string Name, IReadOnlyList<LayerSpec> Layers, int InputHeight, int InputWidth, int Classes)
{
    public static readonly IReadOnlyList<string> Names = ["seed", "compact", "resnet"];

    /// <summary>True for the networks with batch normalisation and global pooling (not Keras' Sequential layout).</summary>
    public bool IsResidual => Layers.Any(l => l is ResidualSpec);

    public static Architecture Create(string name, int classes, int inputHeight = 150, int inputWidth = 150)
    {
        if (classes < 2) throw new GenreException($"a classifier needs at least 2 genres, got {classes}");
        return name switch
        {
            "seed" => Build(name, [32, 64, 128, 256, 512], dropoutAfter: [2, 4], dense: 1200, denseDropout: 0.45, classes, inputHeight, inputWidth),
            "compact" => Build(name, [16, 32, 64, 128], dropoutAfter: [3], dense: 64, denseDropout: 0.3, classes, inputHeight, inputWidth),
            "resnet" => Residual(name, stem: 24, blocks: [32, 64, 128, 128], dropout: 0.3, classes, inputHeight, inputWidth),
            _ => throw new GenreException($"unknown architecture '{name}'; choose one of: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>Pairs of 3x3 convolutions (same, then valid) per filter count, each pair followed by 2x2 max pooling;
    /// dropout 0.3 after the pairs listed; then Flatten, Dense+ReLU, dropout, Dense output.</summary>
    static Architecture Build(string name, int[] filters, int[] dropoutAfter, int dense, double denseDropout, int classes, int h, int w)
    {
        var layers = new List<LayerSpec>();
        var counts = new Dictionary<string, int>();
        string Next(string kind)
        {
            int n = counts.GetValueOrDefault(kind);
            counts[kind] = n + 1;
            return n == 0 ? kind : $"{kind}_{n}";
        }
        for (int i = 0; i < filters.Length; i++)
        {
            layers.Add(new ConvSpec(Next("conv2d"), filters[i], Same: true));
            layers.Add(new ConvSpec(Next("conv2d"), filters[i], Same: false));
            layers.Add(new MaxPoolSpec(Next("max_pooling2d")));
            if (dropoutAfter.Contains(i)) layers.Add(new DropoutSpec(Next("dropout"), 0.3));
        }
        layers.Add(new FlattenSpec(Next("flatten")));
        layers.Add(new DenseSpec(Next("dense"), dense, Relu: true));
        layers.Add(new DropoutSpec(Next("dropout"), denseDropout));
        layers.Add(new DenseSpec(Next("dense"), classes, Relu: false));
        var arch = new Architecture(name, layers, h, w, classes);
        if (arch.Shapes()[^1].Channels != classes) throw new InvalidOperationException("architecture output mismatch");
        return arch;
    }

    /// <summary>A 3x3 stem with batch normalisation and 2x2 pooling; residual blocks with 2x2 pooling between them; global
    /// pooling; dropout; the output layer. (No normalisation of the input: the stem's batch norm absorbs its scale and offset.)</summary>
    static Architecture Residual(string name, int stem, int[] blocks, double dropout, int classes, int h, int w)
    {
        var layers = new List<LayerSpec> { new ConvBnSpec("stem", stem), new MaxPoolSpec("stem_pool") };
        for (int i = 0; i < blocks.Length; i++)
        {
            layers.Add(new ResidualSpec($"block{i + 1}", blocks[i]));
            if (i < blocks.Length - 1) layers.Add(new MaxPoolSpec($"block{i + 1}_pool"));
        }
        layers.Add(new GlobalPoolSpec("global_pool"));
        layers.Add(new DropoutSpec("dropout", dropout));
        layers.Add(new DenseSpec("dense", classes, Relu: false));
        return new Architecture(name, layers, h, w, classes);
    }

    /// <summary>Output shape of every layer, computed from the description alone; fails if the input is too small.</summary>
    public IReadOnlyList<LayerShape> Shapes()
    {
        var shapes = new List<LayerShape>();
        var s = new LayerShape(1, InputHeight, InputWidth);
        foreach (var layer in Layers)
        {
            s = layer switch
            {
                ConvSpec c => c.Same ? s with { Channels = c.Filters } : new LayerShape(c.Filters, s.Height - 2, s.Width - 2),
                ConvBnSpec c => s with { Channels = c.Filters },
                ResidualSpec r => s with { Channels = r.Filters },
                GlobalPoolSpec => new LayerShape(2 * s.Channels, 1, 1),
                MaxPoolSpec => new LayerShape(s.Channels, s.Height / 2, s.Width / 2),
                FlattenSpec => new LayerShape(s.Channels * s.Height * s.Width, 1, 1),
                DenseSpec d => new LayerShape(d.Units, 1, 1),
                _ => s,
            };
            if (s.Height < 1 || s.Width < 1)
                throw new GenreException($"input {InputHeight}x{InputWidth} is too small for the '{Name}' network (layer {layer.Name} would be empty)");
            shapes.Add(s);
        }
        return shapes;
    }

    /// <summary>Trainable parameters of every layer.</summary>
    public IReadOnlyList<long> ParameterCounts()
    {
        var shapes = Shapes();
        var counts = new List<long>();
        long inChannels = 1;
        for (int i = 0; i < Layers.Count; i++)
        {
            long n = Layers[i] switch
            {
                ConvSpec c => 9 * inChannels * c.Filters + c.Filters,
                ConvBnSpec c => 9 * inChannels * c.Filters + 2 * c.Filters,
                ResidualSpec r => 9 * inChannels * r.Filters + 9L * r.Filters * r.Filters + 4 * r.Filters
                    + (inChannels == r.Filters ? 0 : inChannels * r.Filters + 2 * r.Filters),
                DenseSpec d => inChannels * d.Units + d.Units,
                _ => 0,
            };
            counts.Add(n);
            inChannels = shapes[i].Channels;
        }
        return counts;
    }

    public long TotalParameters => ParameterCounts().Sum();
}
