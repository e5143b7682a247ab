using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Genre.Model;

/// <summary>
/// How the layers of a network run their convolutions and batch normalisations: in the network's precision
/// and layout, with its frozen inference weights (<see cref="GenreNet"/> implements it). A plain class, not a
/// module, so that the layers holding it do not register the network as their child.
/// </summary>
internal sealed class LayerOps(Func<Tensor, Conv2d, Tensor> convolve, Func<Tensor, BatchNorm2d, Tensor> normalize)
{
    public Tensor Convolve(Tensor x, Conv2d conv) => convolve(x, conv);
    public Tensor Normalize(Tensor x, BatchNorm2d norm) => normalize(x, norm);
}

/// <summary>3x3 convolution (same, no bias) then batch normalisation; the ReLU after it is a layer of its own, so that
/// the network can fuse it with the pooling that follows.</summary>
internal sealed class ConvBn : Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;
    readonly LayerOps _ops;

    public ConvBn(string name, long inChannels, long filters, LayerOps ops) : base(name)
    {
        conv = Conv2d(inChannels, filters, 3, padding: 1, bias: false);
        bn = BatchNorm2d(filters);
        _ops = ops;
        RegisterComponents();
    }

    public Conv2d Conv => conv;

    public override Tensor forward(Tensor x) => _ops.Normalize(_ops.Convolve(x, conv), bn);
}

/// <summary>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut a 1x1 convolution with batch
/// normalisation when the channel count changes (He et al. 2016, "basic block").</summary>
internal sealed class ResidualBlock : Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;
    readonly BatchNorm2d bn1, bn2;
    readonly Conv2d? shortcut;
    readonly BatchNorm2d? shortcut_bn;
    readonly LayerOps _ops;

    public ResidualBlock(string name, long inChannels, long filters, LayerOps ops) : base(name)
    {
        conv1 = Conv2d(inChannels, filters, 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(filters);
        conv2 = Conv2d(filters, filters, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(filters);
        if (inChannels != filters)
        {
            shortcut = Conv2d(inChannels, filters, 1, bias: false);
            shortcut_bn = BatchNorm2d(filters);
        }
        _ops = ops;
        RegisterComponents();
    }

    /// <summary>The block's convolutions with their padding (3x3: 1, 1x1: 0).</summary>
    public IEnumerable<(Conv2d Conv, long Padding)> Convolutions()
    {
        yield return (conv1, 1);
        yield return (conv2, 1);
        if (shortcut is not null) yield return (shortcut, 0);
    }

    public override Tensor forward(Tensor x)
    {
        var y = _ops.Normalize(_ops.Convolve(x, conv1), bn1).relu_();
        y = _ops.Normalize(_ops.Convolve(y, conv2), bn2);
        var identity = shortcut is null ? x : _ops.Normalize(_ops.Convolve(x, shortcut), shortcut_bn!);
        return y.add_(identity).relu_();
    }
}

/// <summary>(batch, channels, frequency, time) -> (batch, 2 x channels): the mean over frequency, then its mean and
/// maximum over time. Any number of frames gives the same features, so the network takes chunks of any length.</summary>
internal sealed class GlobalPool(string name) : Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor x)
    {
        using var overFrequency = x.mean([2]);
        return cat([overFrequency.mean([2]), overFrequency.amax([2])], 1);
    }
}
