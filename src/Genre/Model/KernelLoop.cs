namespace Genre.Model;

/// <summary>Runs the hand-written tensor passes (ReluMaxPool, dropout masks, FusedAdam) over their blocks.</summary>
static class KernelLoop
{
    static readonly bool Serial = Environment.GetEnvironmentVariable("GENRE_SERIAL_KERNELS") == "1";

    public static void For(long count, Action<long> body)
    {
        if (Serial || count == 1) { for (long i = 0; i < count; i++) body(i); return; }
        Parallel.For(0, count, body);
    }
}
