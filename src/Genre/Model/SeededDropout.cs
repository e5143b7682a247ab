using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// Inverted dropout that draws its mask from the network's own random generator rather than
/// libtorch's process-wide one, so that a training run is reproducible even while other code in
/// the process (another model, a test) uses random numbers.
/// </summary>
public sealed class SeededDropout(string name, double rate, Generator generator) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>Uniform noise laid out like the input: a channels-last activation gets a channels-last mask
    /// (drawn as N, H, W, C and viewed as N, C, H, W), so the product stays channels-last with no copy.</summary>
    Tensor Mask(Tensor input)
    {
        if (input.dim() != 4 || input.is_contiguous())
            return rand(input.shape, dtype: input.dtype, generator: generator);
        var s = input.shape;
        return rand([s[0], s[2], s[3], s[1]], dtype: input.dtype, generator: generator).permute(0, 3, 1, 2);
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || rate <= 0) return input.alias();
        using var keep = Mask(input).ge_(rate);
        return input.mul(keep).div_(1 - rate);
    }
}
