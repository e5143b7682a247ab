using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// Inverted dropout that draws its mask from the network's own random generator rather than
/// libtorch's process-wide one, so that a training run is reproducible even while other code in
/// the process (another model, a test) uses random numbers.
/// </summary>
internal sealed class SeededDropout(string name, double rate, Generator generator) : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor input)
    {
        if (!training || rate <= 0) return input.alias();
        using var mask = Mask(input);
        return input.mul(mask);
    }

    /// <summary>
    /// 0 or 1/(1 - rate) per element, laid out like the input (a channels-last activation gets a
    /// channels-last mask, so the product stays channels-last with no copy). libtorch's rand and
    /// bernoulli_ draw one number per element on one thread (14 ms for the seed network's first
    /// dropout); here one 64-bit seed comes from the generator and a counter-based hash spreads it
    /// over the mask on all cores, 16 bits per element, the same mask for any thread count.
    /// </summary>
    Tensor Mask(Tensor input)
    {
        bool channelsLast = !input.is_contiguous() && ChannelsLastLayout.Is(input);
        var mask = channelsLast ? ChannelsLastLayout.Empty(input.shape, input.dtype) : empty(input.shape, dtype: input.dtype);
        long seed = randint(long.MinValue, long.MaxValue, [1], dtype: ScalarType.Int64, generator: generator).item<long>();
        var dropBelow = (ushort)Math.Round(rate * 65536);
        float keep = (float)(1 / (1 - rate));
        var memory = channelsLast ? ChannelsLastLayout.Nhwc(mask) : mask; // filled in memory order
        if (input.dtype == ScalarType.Float32) Fill(memory, seed, dropBelow, keep);
        else
        {
            using var single = empty(memory.shape);
            Fill(single, seed, dropBelow, keep);
            memory.copy_(single);
        }
        return mask;
    }

    const int BlockWords = 4096; // 16,384 elements per parallel block

    static unsafe void Fill(Tensor mask, long seed, ushort dropBelow, float keep)
    {
        long count = mask.numel();
        float* data = KernelLoop.Pointer<float>(mask);
        long blocks = (count + 4L * BlockWords - 1) / (4L * BlockWords);
        KernelLoop.For(blocks, block => FillBlock(data, count, (ulong)seed, block, dropBelow, keep));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void FillBlock(float* data, long count, ulong seed, long block, ushort dropBelow, float keep)
    {
        long start = block * 4L * BlockWords, end = Math.Min(count, start + 4L * BlockWords);
        long i = start;
        // eight elements from two 64-bit draws, without a branch per element (a third of them are dropped at random)
        var threshold = Vector128.Create(dropBelow);
        var keepBits = Vector256.Create(keep).AsInt32();
        for (; i + 8 <= end; i += 8)
        {
            var kept = Vector128.GreaterThanOrEqual(Vector128.Create(Mix(seed + (ulong)i), Mix(seed + (ulong)i + 4)).AsUInt16(), threshold);
            var (low, high) = Vector128.Widen(kept.AsInt16());
            (Vector256.Create(low, high) & keepBits).AsSingle().Store(data + i);
        }
        for (; i < end; i += 4)
        {
            ulong bits = Mix(seed + (ulong)i);
            for (int lane = 0; lane < 4 && i + lane < end; lane++, bits >>= 16)
                data[i + lane] = (ushort)bits < dropBelow ? 0f : keep;
        }
    }

    /// <summary>SplitMix64's finaliser: a counter in, 64 well-mixed bits out.</summary>
    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
