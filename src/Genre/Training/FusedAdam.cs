using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using Genre.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genre.Training;

/// <summary>
/// TorchSharp's Adam (same defaults, same state, same checkpoint format) with the update done in one pass
/// per parameter: TorchSharp's step makes eight passes over each tensor (mul_, add_, mul_, addcmul_, sqrt,
/// div, add_, addcdiv_), two of them allocating; this reads the parameter, its gradient and both moments
/// once and writes them back once, on all cores. The arithmetic is PyTorch's single-tensor Adam:
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
/// With <c>decoupledWeightDecay</c> it is AdamW (Loshchilov and Hutter 2019, PyTorch's AdamW): p *= 1 - lr wd first.
/// Anything else (a tensor not float32 and contiguous, or amsgrad, L2 weight decay, maximize) goes through Adam's own step.
/// </summary>
public sealed class FusedAdam(IEnumerable<Parameter> parameters, double lr, double decoupledWeightDecay = 0) : Adam(parameters, lr)
{
    /// <summary>Sets the learning rate of every parameter group (the schedule calls this before each step).</summary>
    public void SetLearningRate(double lr)
    {
        foreach (var group in _parameter_groups) group.Options.LearningRate = lr;
    }

    const int BlockFloats = 1 << 15; // 128 KB of each stream per parallel block

    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null || !Fusable())
        {
            if (decoupledWeightDecay != 0)
                using (no_grad())
                    foreach (var group in _parameter_groups)
                        foreach (var param in group.Parameters)
                            if (param.grad is not null) param.mul_(1 - group.Options.LearningRate!.Value * decoupledWeightDecay);
            return base.step(closure); // the same arithmetic in tensor operations
        }
        using var _ = no_grad();
        foreach (var group in _parameter_groups)
        {
            var options = (Options)group.Options;
            foreach (var param in group.Parameters)
            {
                using var grad = param.grad;
                if (grad is null) continue;
                var state = (State)_state[param.Handle];
                state.step += 1;
                Apply(param, grad, state, new Update(options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.LearningRate!.Value, state.step,
                    decoupledWeightDecay));
            }
        }
        return null!;
    }

    /// <summary>Plain Adam (no amsgrad, maximize or weight decay) on float32 contiguous CPU tensors: what the loop takes.</summary>
    bool Fusable() => _parameter_groups.All(g => g.Options is Options { amsgrad: not true, maximize: not true } o && (o.weight_decay ?? 0) == 0
        && g.Parameters.All(p =>
        {
            using var grad = p.grad;
            var state = (State)_state[p.Handle];
            return IsPlain(p) && (grad is null || IsPlain(grad)) && IsPlain(state.exp_avg) && IsPlain(state.exp_avg_sq);
        }));

    static bool IsPlain(Tensor t) => t.dtype == ScalarType.Float32 && t.is_contiguous() && t.device_type == DeviceType.CPU;

    readonly record struct Update(double Beta1, double Beta2, double Eps, double Lr, long Step, double WeightDecay)
    {
        public float Decay => (float)(1 - Lr * WeightDecay);
        public float StepSize => (float)(Lr / (1 - Math.Pow(Beta1, Step)));
        public float InvSqrtCorrection2 => (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, Step)));
    }

    static unsafe void Apply(Tensor param, Tensor grad, State state, Update u)
    {
        long count = param.numel();
        float* p = KernelLoop.Pointer<float>(param), g = KernelLoop.Pointer<float>(grad), m = KernelLoop.Pointer<float>(state.exp_avg), v = KernelLoop.Pointer<float>(state.exp_avg_sq);
        long blocks = (count + BlockFloats - 1) / BlockFloats;
        KernelLoop.For(blocks, b => Block(p, g, m, v, b * BlockFloats, Math.Min(count, (b + 1) * BlockFloats), u));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Block(float* p, float* g, float* m, float* v, long start, long end, Update u)
    {
        float b1 = (float)u.Beta1, c1 = (float)(1 - u.Beta1), b2 = (float)u.Beta2, c2 = (float)(1 - u.Beta2);
        float eps = (float)u.Eps, stepSize = u.StepSize, invSqrtC2 = u.InvSqrtCorrection2, decay = u.Decay;
        long i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1); var vc1 = Vector256.Create(c1); var vb2 = Vector256.Create(b2); var vc2 = Vector256.Create(c2);
            var veps = Vector256.Create(eps); var vstep = Vector256.Create(stepSize); var vinv = Vector256.Create(invSqrtC2);
            var vdecay = Vector256.Create(decay);
            for (; i + 8 <= end; i += 8)
            {
                var gi = Vector256.Load(g + i);
                var mi = vb1 * Vector256.Load(m + i) + vc1 * gi;
                var vi = vb2 * Vector256.Load(v + i) + vc2 * gi * gi;
                mi.Store(m + i);
                vi.Store(v + i);
                var denom = Vector256.Sqrt(vi) * vinv + veps;
                (Vector256.Load(p + i) * vdecay - vstep * mi / denom).Store(p + i);
            }
        }
        for (; i < end; i++)
        {
            float gi = g[i];
            float mi = m[i] = b1 * m[i] + c1 * gi;
            float vi = v[i] = b2 * v[i] + c2 * gi * gi;
            p[i] = p[i] * decay - stepSize * mi / (MathF.Sqrt(vi) * invSqrtC2 + eps);
        }
    }
}
