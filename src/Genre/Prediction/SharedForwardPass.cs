namespace Genre.Prediction;

/// <summary>
/// Lets concurrent callers (the workers of a folder run, the requests of the web server) share forward
/// passes: a caller that finds the network busy queues its chunk images, and whoever runs the network next
/// takes every queued request, up to <c>maxImages</c> images, in one batch. A 30-s song is 14
/// chunks; the seed network costs 3.35 ms a chunk in a batch of 14, 3.12 in one of 28 and 5.7 in one of 4
/// (bf16, channels-last), so songs of different callers batched together run faster. A lone caller runs
/// at once: nothing waits for company.
/// </summary>
sealed class SharedForwardPass(int outputsPerImage, int maxImages)
{
    sealed class Request(IReadOnlyList<float[]> images)
    {
        public IReadOnlyList<float[]> Images { get; } = images;
        public float[]? Result;
        public Exception? Error;
        public bool Done;
    }

    readonly object _gate = new();
    readonly List<Request> _queue = [];
    bool _busy;

    /// <summary>The outputs of <paramref name="forward"/> (the same function for every caller) for <paramref name="images"/>
    /// (at most <c>maxImages</c> of them), row after row.</summary>
    public float[] Run(IReadOnlyList<float[]> images, Func<IReadOnlyList<float[]>, float[]> forward)
    {
        var mine = new Request(images);
        lock (_gate) _queue.Add(mine);
        while (true)
        {
            List<Request> batch;
            lock (_gate)
            {
                while (_busy && !mine.Done) Monitor.Wait(_gate);
                if (mine.Done)
                {
                    if (mine.Error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(mine.Error);
                    return mine.Result!;
                }
                _busy = true;
                batch = TakeBatch();
            }
            try
            {
                var outputs = forward(batch.SelectMany(r => r.Images).ToList());
                int offset = 0;
                foreach (var r in batch)
                {
                    r.Result = outputs.AsSpan(offset, r.Images.Count * outputsPerImage).ToArray();
                    offset += r.Result.Length;
                }
            }
            catch (Exception e)
            {
                foreach (var r in batch) r.Error = e;
                if (batch.Contains(mine)) { Finish(batch); throw; }
            }
            Finish(batch);
        }
    }

    /// <summary>The oldest requests that fit in one batch (always at least the oldest).</summary>
    List<Request> TakeBatch()
    {
        var batch = new List<Request>();
        int images = 0;
        while (_queue.Count > 0 && (batch.Count == 0 || images + _queue[0].Images.Count <= maxImages))
        {
            images += _queue[0].Images.Count;
            batch.Add(_queue[0]);
            _queue.RemoveAt(0);
        }
        return batch;
    }

    void Finish(List<Request> batch)
    {
        lock (_gate)
        {
            foreach (var r in batch) r.Done = true;
            _busy = false;
            Monitor.PulseAll(_gate);
        }
    }
}
