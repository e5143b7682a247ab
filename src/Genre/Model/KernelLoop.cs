using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>What the hand-written tensor passes (ReluMaxPool, dropout masks, FusedAdam) share: their blocks run on all cores,
/// and they read and write a contiguous tensor's memory in place.</summary>
static class KernelLoop
{
    public static void For(long count, Action<long> body)
    {
        if (count == 1) body(0);
        else Parallel.For(0, count, body);
    }

    /// <summary>The first element of a contiguous tensor (TorchSharp's <c>bytes</c> refuses any other).</summary>
    public static unsafe T* Pointer<T>(Tensor contiguous) where T : unmanaged =>
        (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(contiguous.bytes));
}
