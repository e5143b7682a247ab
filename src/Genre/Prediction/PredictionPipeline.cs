using System.Threading.Channels;

namespace Genre.Prediction;

/// <summary>What became of one song: its prediction, or the error that stopped it, or null for both when skipped.</summary>
public sealed record SongOutcome(string File, SongPrediction? Prediction, string? Error)
{
    public bool Skipped => Prediction is null && Error is null;
}

/// <summary>
/// Classifies a stream of song files with one model: the file names are discovered lazily on their own thread
/// (names are small; the count so far feeds a progress display), and a fixed number of workers decode and
/// classify, so at most that many songs' audio and features are in memory whatever the size of the folder.
/// </summary>
public static class PredictionPipeline
{
    /// <param name="skip">Called by a worker for each file; true leaves it out (reported as skipped).</param>
    /// <param name="finished">Called once per file, one call at a time, in the order songs finish.</param>
    /// <param name="discovered">Called with the number of files found so far, as discovery advances.</param>
    public static void Run(Predictor predictor, IEnumerable<string> files, Func<string, bool> skip, Action<SongOutcome> finished,
        Action<int>? discovered = null, int workers = 0, CancellationToken cancel = default)
    {
        if (workers <= 0) workers = Environment.ProcessorCount;
        var names = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel); // the first failure stops every task
        var token = stop.Token;
        var gate = new object();
        int found = 0;
        var discovery = Task.Run(() =>
        {
            try
            {
                foreach (var f in files)
                {
                    token.ThrowIfCancellationRequested();
                    names.Writer.TryWrite(f);
                    int n = ++found;
                    if (discovered is not null) lock (gate) discovered(n);
                }
                names.Writer.Complete();
            }
            catch (Exception e) { names.Writer.Complete(e); stop.Cancel(); throw; }
        }, token);
        var classify = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var file in names.Reader.ReadAllAsync(token))
                {
                    var outcome = skip(file) ? new SongOutcome(file, null, null) : Classify(predictor, file, token);
                    lock (gate) finished(outcome);
                }
            }
            catch { stop.Cancel(); throw; }
        }, token)).ToArray();
        try { Task.WaitAll([discovery, .. classify]); }
        catch (AggregateException e)
        {
            var failure = e.Flatten().InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException);
            if (failure is null || cancel.IsCancellationRequested) throw new OperationCanceledException(cancel);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>One song's outcome: file-level problems (unreadable, silent, not audio) become its error, anything else stops the run.</summary>
    static SongOutcome Classify(Predictor predictor, string file, CancellationToken cancel)
    {
        try { return new SongOutcome(file, predictor.Predict(file, cancel), null); }
        catch (GenreException e) { return new SongOutcome(file, null, e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return new SongOutcome(file, null, $"{file}: {e.Message}"); }
    }
}
