namespace Genre.Model;

/// <summary>Runs the hand-written tensor passes (ReluMaxPool, dropout masks, FusedAdam) over their blocks on all cores.</summary>
static class KernelLoop
{
    public static void For(long count, Action<long> body)
    {
        if (count == 1) body(0);
        else Parallel.For(0, count, body);
    }
}
