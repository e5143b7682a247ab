using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// Channels-last: NHWC memory under the NCHW shape (PyTorch's memory_format=channels_last), the layout of the
/// network's activations and kernels and of the hand-written passes that read them, in one place.
/// </summary>
internal static class ChannelsLastLayout
{
    /// <summary>True when a 4-D tensor's memory is NHWC-contiguous.</summary>
    public static bool Is(Tensor t) => t.dim() == 4 && Nhwc(t).is_contiguous();

    /// <summary>An uninitialised (N, C, H, W) tensor laid out NHWC.</summary>
    public static Tensor Empty(long[] nchwShape, ScalarType type) =>
        FromNhwc(empty([nchwShape[0], nchwShape[2], nchwShape[3], nchwShape[1]], dtype: type));

    /// <summary>A channels-last copy of <paramref name="t"/>, cast on the way: one pass, and one back for the gradient.</summary>
    public static Tensor Copy(Tensor t, ScalarType? type = null) =>
        t.requires_grad && is_grad_enabled() ? CopyFunction.apply(t, type ?? t.dtype) : Empty(t.shape, type ?? t.dtype).copy_(t);

    /// <summary>The copy as its own autograd node: autograd's record of a copy into a permuted view replays it through
    /// as_strided and a zero-filled buffer, three passes where the gradient needs one (the convolution kernels' casts
    /// took 4 ms of backward per step of the seed network that way).</summary>
    sealed class CopyFunction : autograd.SingleTensorFunction<CopyFunction>
    {
        public override string Name => "ChannelsLastCopy";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (t, type) = ((Tensor)vars[0], (ScalarType)vars[1]);
            ctx.save_data("type", t.dtype);
            using var _ = no_grad();
            return Empty(t.shape, type).copy_(t);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad) =>
            [empty(grad.shape, dtype: (ScalarType)ctx.get_data("type")).copy_(grad), null!];
    }

    /// <summary>The (N, H, W, C) view of a channels-last tensor: contiguous, for loops over its memory.</summary>
    public static Tensor Nhwc(Tensor t) => t.permute(0, 2, 3, 1);

    /// <summary>The (N, C, H, W) view of an NHWC-contiguous tensor.</summary>
    public static Tensor FromNhwc(Tensor t) => t.permute(0, 3, 1, 2);
}
