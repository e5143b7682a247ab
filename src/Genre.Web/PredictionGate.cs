namespace Genre.Web;

/// <summary>
/// Bounds the work of concurrent uploads: at most <c>running</c> decodes and predictions at once (they
/// are what costs memory and CPU), at most <c>running + queued</c> prediction requests admitted at a time
/// (uploading, waiting or running). A request beyond that is told to come back later instead of
/// piling up, so the server's memory and temporary disk use stay bounded however many clients call.
/// </summary>
sealed class PredictionGate(int running, int queued)
{
    readonly SemaphoreSlim _slots = new(running, running);
    readonly int _capacity = running + queued;
    int _admitted;

    /// <summary>Admits one request, or returns false when the server is full (answer 503).</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _admitted) <= _capacity) return true;
        Interlocked.Decrement(ref _admitted);
        return false;
    }

    /// <summary>Ends an admitted request.</summary>
    public void Leave() => Interlocked.Decrement(ref _admitted);

    /// <summary>Runs <paramref name="work"/> on the thread pool as soon as a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancel)
    {
        await _slots.WaitAsync(cancel);
        try { return await Task.Run(work, cancel); }
        finally { _slots.Release(); }
    }
}
