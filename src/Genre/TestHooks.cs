namespace Genre;

/// <summary>
/// Slows the long loops (one feature chunk, one training batch, one tagged file before its rename) by GENRE_TEST_STEP_DELAY_MS
/// milliseconds, so that the interruption tests can signal a real child process mid-work on a small
/// data set. Unset (always, outside those tests), it costs one comparison.
/// </summary>
internal static class TestHooks
{
    static readonly int DelayMs = int.TryParse(Environment.GetEnvironmentVariable("GENRE_TEST_STEP_DELAY_MS"), out int ms) && ms > 0 ? ms : 0;

    public static void Step(CancellationToken cancel)
    {
        if (DelayMs > 0) cancel.WaitHandle.WaitOne(DelayMs);
    }
}
