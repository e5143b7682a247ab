using Genre.Data;
using Genre.Model;
using static TorchSharp.torch;

namespace Genre.Training;

/// <summary>Class probabilities and loss of a network over chunks, in evaluation mode without gradients.</summary>
public static class Scoring
{
    public sealed record Scores(float[][] Probabilities, double MeanLoss);

    public static Scores Score(GenreNet net, FeatureSet set, IReadOnlyList<int> chunks, InputNormalization normalization, int batchSize = 32,
        CancellationToken cancel = default)
    {
        net.eval();
        net.FreezeForInference(); // the same weights for every batch; thawed again below, before training changes them
        try { return ScoreBatches(net, set, chunks, normalization, batchSize, cancel); }
        finally { net.Thaw(); }
    }

    static Scores ScoreBatches(GenreNet net, FeatureSet set, IReadOnlyList<int> chunks, InputNormalization normalization, int batchSize,
        CancellationToken cancel)
    {
        var batches = new Batches(set, normalization);
        var probabilities = new float[chunks.Count][];
        double lossSum = 0;
        var all = chunks.ToArray();
        using var _ = no_grad();
        for (int start = 0; start < all.Length; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var idx = all.AsSpan(start, Math.Min(batchSize, all.Length - start));
            var logits = net.call(batches.Inputs(idx));
            lossSum += nn.functional.cross_entropy(logits, batches.Labels(idx), reduction: nn.Reduction.Sum).item<float>();
            var p = nn.functional.softmax(logits, 1).data<float>().ToArray();
            int classes = (int)logits.shape[1];
            for (int i = 0; i < idx.Length; i++) probabilities[start + i] = p.AsSpan(i * classes, classes).ToArray();
        }
        return new Scores(probabilities, all.Length == 0 ? double.NaN : lossSum / all.Length);
    }

    public static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    /// <summary>Chunk-level accuracy: each chunk's label against the arg-max of its probabilities.</summary>
    public static double ChunkAccuracy(FeatureSet set, IReadOnlyList<int> chunks, float[][] probabilities) =>
        chunks.Count == 0 ? double.NaN : chunks.Select((c, i) => ArgMax(probabilities[i]) == set.Label(c) ? 1.0 : 0).Average();

    /// <summary>Song-level accuracy: each song's label against the arg-max of the mean of its chunk probabilities.</summary>
    public static double SongAccuracy(FeatureSet set, IReadOnlyList<int> chunks, float[][] probabilities)
    {
        var sums = new Dictionary<int, float[]>();
        for (int i = 0; i < chunks.Count; i++)
        {
            int song = set.ChunkSong[chunks[i]];
            if (!sums.TryGetValue(song, out var s)) sums[song] = s = new float[probabilities[i].Length];
            for (int k = 0; k < s.Length; k++) s[k] += probabilities[i][k];
        }
        if (sums.Count == 0) return double.NaN;
        return sums.Count(kv => ArgMax(kv.Value) == set.Songs[kv.Key].Label) / (double)sums.Count;
    }
}
