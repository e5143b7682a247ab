using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>
/// ReLU followed by 2x2 max pooling (stride 2, floor), in one pass over a channels-last tensor. The two
/// commute (ReLU is monotonic), so this is max(0, window max): it reads the convolution's output once and
/// writes a quarter of it, where libtorch's pair writes the ReLU'd activation, a pooled copy and int64
/// indices, and its backward zero-fills and scatters. Backward recomputes the winner of each window from
/// the saved input (the first maximum in row order, as max_pool2d picks), so nothing else is stored.
/// bfloat16 and float32 compare as 16- and 32-bit integers: positive floats order as their bit patterns,
/// and every negative one is below zero, which is all that ReLU-then-max needs.
/// </summary>
internal static class ReluMaxPool
{
    /// <summary>True when <paramref name="x"/> is a 4-D channels-last (NHWC-contiguous) tensor of a supported type.</summary>
    public static bool Applies(Tensor x) =>
        ChannelsLastLayout.Is(x) && (x.dtype == ScalarType.BFloat16 || x.dtype == ScalarType.Float32) && x.shape[2] >= 2 && x.shape[3] >= 2;

    /// <summary>relu(x) then max_pool2d(2); differentiable. <paramref name="x"/> must satisfy <see cref="Applies"/>.</summary>
    public static Tensor Forward(Tensor x) => Function.apply(x);

    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "ReluMaxPool2x2";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var s = x.shape;
            var output = ChannelsLastLayout.Empty([s[0], s[1], s[2] / 2, s[3] / 2], x.dtype);
            KernelsFor(x.dtype).Forward(Nhwc(x), Nhwc(output));
            ctx.save_for_backward([x, output]);
            return output;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            var (x, output) = (saved[0], saved[1]);
            var s = x.shape;
            var grad = Nhwc(gradOutput).contiguous();
            var gradInput = ChannelsLastLayout.Empty(s, x.dtype);
            KernelsFor(x.dtype).Backward(Nhwc(x), Nhwc(output), grad, Nhwc(gradInput));
            return [gradInput];
        }
    }

    static Tensor Nhwc(Tensor x) => ChannelsLastLayout.Nhwc(x);

    static readonly IKernels Bf16Kernels = new Kernels<short>(), Fp32Kernels = new Kernels<int>();

    static IKernels KernelsFor(ScalarType type) => type == ScalarType.BFloat16 ? Bf16Kernels : Fp32Kernels;

    interface IKernels
    {
        void Forward(Tensor input, Tensor pooled);
        void Backward(Tensor input, Tensor pooled, Tensor grad, Tensor gradInput);
    }

    /// <summary>The loops for one element width; <typeparamref name="T"/> holds the float's bits.</summary>
    sealed unsafe class Kernels<T> : IKernels where T : unmanaged, IComparable<T>
    {
        static readonly int Lanes = Vector256<T>.Count;

        public void Forward(Tensor input, Tensor pooled)
        {
            var (n, h, w, c) = Dims(input);
            long ho = h / 2, wo = w / 2;
            T* x = Data(input), y = Data(pooled);
            KernelLoop.For(n * ho, row => ForwardRow(x, y, row, h, w, c));
        }

        /// <summary>One output row: tiering would first run these loops unoptimised, hence the attribute.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void ForwardRow(T* x, T* y, long row, long h, long w, long c)
        {
            long ho = h / 2, wo = w / 2, b = row / ho, i = row % ho;
            T* top = x + (b * h + 2 * i) * w * c, bottom = top + w * c, out_ = y + row * wo * c;
            for (long j = 0; j < wo; j++)
            {
                T* p00 = top + 2 * j * c, p10 = bottom + 2 * j * c;
                T* o = out_ + j * c;
                long k = 0;
                for (; k + Lanes <= c; k += Lanes)
                {
                    var m = Vector256.Max(Vector256.Max(Vector256.Load(p00 + k), Vector256.Load(p00 + c + k)),
                                          Vector256.Max(Vector256.Load(p10 + k), Vector256.Load(p10 + c + k)));
                    Vector256.Max(m, Vector256<T>.Zero).Store(o + k);
                }
                for (; k < c; k++) o[k] = Max(Max(Max(p00[k], p00[c + k]), Max(p10[k], p10[c + k])), default);
            }
        }

        public void Backward(Tensor input, Tensor pooled, Tensor grad, Tensor gradInput)
        {
            var (n, h, w, c) = Dims(input);
            long ho = h / 2, wo = w / 2;
            T* x = Data(input), m = Data(pooled), g = Data(grad), dx = Data(gradInput);
            KernelLoop.For(n * ho + (h % 2 == 1 ? n : 0), task => BackwardRow(x, m, g, dx, task, n, h, w, c));
        }

        /// <summary>One row of windows; tasks past the last one clear the bottom row of an odd height.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static void BackwardRow(T* x, T* m, T* g, T* dx, long task, long n, long h, long w, long c)
        {
            long ho = h / 2, wo = w / 2;
            if (task >= n * ho) // the bottom row of an odd height takes no gradient
            {
                new Span<T>(dx + ((task - n * ho) * h + h - 1) * w * c, (int)(w * c)).Clear();
                return;
            }
            long b = task / ho, i = task % ho;
            long top = (b * h + 2 * i) * w * c, bottom = top + w * c;
            for (long j = 0; j < wo; j++)
            {
                long o = (task * wo + j) * c, p00 = top + 2 * j * c, p10 = bottom + 2 * j * c;
                long k = 0;
                for (; k + Lanes <= c; k += Lanes)
                {
                    var best = Vector256.Load(m + o + k);
                    var gv = Vector256.Load(g + o + k);
                    var open = Vector256.GreaterThan(best, Vector256<T>.Zero); // windows whose gradient is still to place
                    Place(x + p00 + k, dx + p00 + k, best, gv, ref open);
                    Place(x + p00 + c + k, dx + p00 + c + k, best, gv, ref open);
                    Place(x + p10 + k, dx + p10 + k, best, gv, ref open);
                    Place(x + p10 + c + k, dx + p10 + c + k, best, gv, ref open);
                }
                for (; k < c; k++)
                {
                    T bestValue = m[o + k];
                    bool open = bestValue.CompareTo(default) > 0;
                    foreach (long p in (ReadOnlySpan<long>)[p00 + k, p00 + c + k, p10 + k, p10 + c + k])
                    {
                        bool win = open && x[p].Equals(bestValue);
                        dx[p] = win ? g[o + k] : default;
                        open &= !win;
                    }
                }
            }
            if (w % 2 == 1) // the right column of an odd width takes no gradient
            {
                new Span<T>(dx + top + (w - 1) * c, (int)c).Clear();
                new Span<T>(dx + bottom + (w - 1) * c, (int)c).Clear();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Place(T* x, T* dx, Vector256<T> best, Vector256<T> grad, ref Vector256<T> open)
        {
            var win = Vector256.Equals(Vector256.Load(x), best) & open;
            (grad & win).Store(dx);
            open = Vector256.AndNot(open, win);
        }

        static T Max(T a, T b) => a.CompareTo(b) >= 0 ? a : b;

        static (long N, long H, long W, long C) Dims(Tensor nhwc) => (nhwc.shape[0], nhwc.shape[1], nhwc.shape[2], nhwc.shape[3]);

        static T* Data(Tensor nhwc) => KernelLoop.Pointer<T>(nhwc);
    }
}
