using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// A 3x3 convolution (stride 1, padding 0 or 1) whose backward pass is two forward convolutions, for the
/// network's last blocks, where images are 7x7 and smaller. There oneDNN's bfloat16 backward-weights kernel
/// runs at a third of its forward speed (512 to 512 channels on 7x7: 15.9 ms against 5.6 ms forward), while
/// the same gradient as a forward convolution, of the input (channels as batch, batch as channels) with the
/// output gradient as kernel, takes 7 ms. The input gradient is the output gradient convolved with the
/// flipped, transposed kernel. Measured for the seed network: 29.4 to 21.9 ms and 17.9 to 15.8 ms per step
/// for its last two convolutions; larger images and float32 are faster with libtorch's own backward.
/// </summary>
internal static class SmallImageConv
{
    const long LargestSide = 8;

    /// <summary>Where this is measured faster: a bfloat16 image of at most 8x8 in training (something needs a gradient).</summary>
    public static bool Applies(Tensor x, Tensor kernel, Tensor? bias) =>
        bias is not null && x.dtype == ScalarType.BFloat16 && x.dim() == 4 && x.shape[2] <= LargestSide && x.shape[3] <= LargestSide
        && kernel.shape[2] == 3 && kernel.shape[3] == 3 && (x.requires_grad || kernel.requires_grad || bias.requires_grad);

    /// <summary>conv2d(x, kernel, bias, padding) with the backward pass above; any floating type.</summary>
    public static Tensor Forward(Tensor x, Tensor kernel, Tensor bias, long padding) => Function.apply(x, kernel, bias, padding);

    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "SmallImageConv3x3";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (x, kernel, bias, padding) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (long)vars[3]);
            ctx.save_for_backward([x, kernel]);
            ctx.save_data("padding", padding);
            return nn.functional.conv2d(x, kernel, bias, padding: [padding, padding]);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var saved = ctx.get_saved_variables();
            var (x, kernel) = (saved[0], saved[1]);
            long padding = (long)ctx.get_data("padding");
            using var flipped = FlippedTransposed(kernel);
            var gradInput = nn.functional.conv2d(grad, flipped, padding: [2 - padding, 2 - padding]);
            // laid out channels-last here: libtorch would make them NCHW-contiguous, and its convolution then runs slower
            using var xt = ChannelsLastLayout.Copy(x.transpose(0, 1));
            using var gt = ChannelsLastLayout.Copy(grad.transpose(0, 1));
            var gradKernel = nn.functional.conv2d(xt, gt, padding: [padding, padding]).transpose(0, 1);
            var gradBias = grad.sum([0, 2, 3]);
            return [gradInput, gradKernel, gradBias, null!];
        }
    }

    /// <summary>The kernel of the input gradient, channels-last: in and out channels swapped and the 3x3 taps reversed,
    /// as one tiled transpose per tap (libtorch's flip then strided copy take 2.6 ms for 512x512 channels).</summary>
    internal static unsafe Tensor FlippedTransposed(Tensor kernel)
    {
        if (!ChannelsLastLayout.Is(kernel) || kernel.element_size() is not (2 or 4))
            return ChannelsLastLayout.Copy(kernel.flip(2, 3).transpose(0, 1));
        long co = kernel.shape[0], ci = kernel.shape[1];
        var result = ChannelsLastLayout.Empty([ci, co, 3, 3], kernel.dtype);
        using var source = ChannelsLastLayout.Nhwc(kernel);
        using var target = ChannelsLastLayout.Nhwc(result);
        if (kernel.element_size() == 2) Transpose(KernelLoop.Pointer<short>(source), KernelLoop.Pointer<short>(target), co, ci);
        else Transpose(KernelLoop.Pointer<int>(source), KernelLoop.Pointer<int>(target), co, ci);
        return result;
    }

    const long Block = 64;

    /// <summary>target[i, 2-kh, 2-kw, o] = source[o, kh, kw, i] (NHWC memory), a block of output channels per task.</summary>
    static unsafe void Transpose<T>(T* source, T* target, long co, long ci) where T : unmanaged
    {
        long blocks = (co + Block - 1) / Block;
        KernelLoop.For(9 * blocks, task => TransposeBlock(source, target, co, ci, tap: task / blocks, firstOut: task % blocks * Block));
    }

    /// <summary>
    /// One tap, a block of output channels: 64x64 tiles pass through a small buffer, so each source and target line
    /// is touched once, in one burst. Going straight from source to target thrashed the first-level cache: both
    /// strides are 9 x 512 elements for the 512-channel kernel, so a tile's lines fell into a few cache sets (11 ms).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    static unsafe void TransposeBlock<T>(T* source, T* target, long co, long ci, long tap, long firstOut) where T : unmanaged
    {
        T* tile = stackalloc T[(int)(Block * Block)];
        long rows = Math.Min(Block, co - firstOut);
        for (long i0 = 0; i0 < ci; i0 += Block)
        {
            long columns = Math.Min(Block, ci - i0);
            for (long r = 0; r < rows; r++)
                Buffer.MemoryCopy(source + ((firstOut + r) * 9 + tap) * ci + i0, tile + r * Block, Block * sizeof(T), columns * sizeof(T));
            for (long c = 0; c < columns; c++)
            {
                T* to = target + ((i0 + c) * 9 + 8 - tap) * co + firstOut;
                for (long r = 0; r < rows; r++) to[r] = tile[r * Block + c];
            }
        }
    }
}
