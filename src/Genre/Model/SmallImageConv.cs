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
public static class SmallImageConv
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
            using var flipped = ChannelsLastLayout.Copy(kernel.flip(2, 3).transpose(0, 1));
            var gradInput = nn.functional.conv2d(grad, flipped, padding: [2 - padding, 2 - padding]);
            var gradKernel = nn.functional.conv2d(x.transpose(0, 1), grad.transpose(0, 1), padding: [padding, padding]).transpose(0, 1);
            var gradBias = grad.sum([0, 2, 3]);
            return [gradInput, gradKernel, gradBias, null!];
        }
    }
}
