using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// Inverted dropout that draws its mask from the network's own random generator rather than
/// libtorch's process-wide one, so that a training run is reproducible even while other code in
/// the process (another model, a test) uses random numbers.
/// </summary>
public sealed class SeededDropout(string name, double rate, Generator generator) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor input)
    {
        if (!training || rate <= 0) return input.alias();
        using var keep = rand(input.shape, dtype: input.dtype, generator: generator).ge_(rate);
        return input.mul(keep).div_(1 - rate);
    }
}
