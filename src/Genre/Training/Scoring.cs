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

    /// <summary>Song-level accuracy: each song's label against the arg-max of its chunks' probabilities combined by <paramref name="averaging"/>.</summary>
    public static double SongAccuracy(FeatureSet set, IReadOnlyList<int> chunks, float[][] probabilities, SongAveraging averaging = SongAveraging.Probabilities)
    {
        var bySong = new Dictionary<int, List<float>>();
        for (int i = 0; i < chunks.Count; i++)
        {
            int song = set.ChunkSong[chunks[i]];
            if (!bySong.TryGetValue(song, out var flat)) bySong[song] = flat = new List<float>();
            flat.AddRange(probabilities[i]);
        }
        if (bySong.Count == 0) return double.NaN;
        int k = set.Genres.Count;
        return bySong.Count(kv => ArgMax(SongAverage.Of(kv.Value.ToArray(), k, averaging)) == set.Songs[kv.Key].Label) / (double)bySong.Count;
    }
}

/// <summary>The one rule that turns a song's chunk probabilities into the song's (<see cref="SongAveraging"/>).</summary>
public static class SongAverage
{
    /// <summary>Song probabilities from chunk probabilities laid out chunk after chunk, <paramref name="genres"/> each.</summary>
    public static float[] Of(ReadOnlySpan<float> chunkProbabilities, int genres, SongAveraging averaging)
    {
        int chunks = chunkProbabilities.Length / genres;
        var song = new double[genres];
        for (int c = 0; c < chunks; c++)
            for (int g = 0; g < genres; g++)
            {
                float p = chunkProbabilities[c * genres + g];
                song[g] += averaging == SongAveraging.Log ? Math.Log(Math.Max(p, 1e-30)) : p;
            }
        var result = new float[genres];
        if (chunks == 0) return result;
        if (averaging == SongAveraging.Probabilities)
        {
            for (int g = 0; g < genres; g++) result[g] = (float)(song[g] / chunks);
            return result;
        }
        double max = song.Max(), total = 0; // softmax of the mean log-probability: the normalised geometric mean
        for (int g = 0; g < genres; g++) total += song[g] = Math.Exp((song[g] - max) / chunks);
        for (int g = 0; g < genres; g++) result[g] = (float)(song[g] / total);
        return result;
    }
}
