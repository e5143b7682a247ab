using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// Channels-last: NHWC memory under the NCHW shape (PyTorch's memory_format=channels_last), the layout of the
/// network's activations and kernels and of the hand-written passes that read them, in one place.
/// </summary>
public static class ChannelsLastLayout
{
    /// <summary>True when a 4-D tensor's memory is NHWC-contiguous.</summary>
    public static bool Is(Tensor t) => t.dim() == 4 && Nhwc(t).is_contiguous();

    /// <summary>An uninitialised (N, C, H, W) tensor laid out NHWC.</summary>
    public static Tensor Empty(long[] nchwShape, ScalarType type) =>
        FromNhwc(empty([nchwShape[0], nchwShape[2], nchwShape[3], nchwShape[1]], dtype: type));

    /// <summary>A channels-last copy of <paramref name="t"/>, cast on the way: one differentiable pass.</summary>
    public static Tensor Copy(Tensor t, ScalarType? type = null) => Empty(t.shape, type ?? t.dtype).copy_(t);

    /// <summary>The (N, H, W, C) view of a channels-last tensor: contiguous, for loops over its memory.</summary>
    public static Tensor Nhwc(Tensor t) => t.permute(0, 2, 3, 1);

    /// <summary>The (N, C, H, W) view of an NHWC-contiguous tensor.</summary>
    public static Tensor FromNhwc(Tensor t) => t.permute(0, 3, 1, 2);
}
