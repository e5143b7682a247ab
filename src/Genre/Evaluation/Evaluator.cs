using Genre.Data;
using Genre.Model;
using Genre.Training;

namespace Genre.Evaluation;

/// <summary>Loss and accuracy of one part of the data (training, validation or songs the model never saw).</summary>
public sealed record PartResult(string Name, int Songs, int Chunks, double Loss, double Accuracy, double SongAccuracy);

/// <summary>What a confidence threshold buys on the songs of one part: how many are marked confident (coverage) and how
/// often those are right, beside the accuracy of the uncertain ones (null where no song is on that side).</summary>
public sealed record ConfidenceRow(double MinConfidence, int Songs, int Confident, double Coverage, double? ConfidentAccuracy, double? UncertainAccuracy);

/// <summary>Everything <c>genre evaluate</c> reports. <see cref="Confidence"/> is computed on the songs of <see cref="MatrixPart"/>.</summary>
public sealed record EvaluationResult(string Split, IReadOnlyList<PartResult> Parts, string MatrixPart,
    IReadOnlyList<string> Genres, int[][] ConfusionMatrix, IReadOnlyList<GenreMetrics> PerGenre, string? Warning,
    IReadOnlyList<ConfidenceRow>? Confidence = null);

/// <summary>Evaluates a trained model on a feature set, using the split recorded with the model.</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(TrainedModel model, FeatureSet set, SplitRecord split, CancellationToken cancel = default)
    {
        var config = model.Config;
        if (config.Features != set.Settings)
            throw new GenreException("the data's feature settings differ from the model's; prepare the data with the model's settings (or use --data)");
        if (!config.Genres.SequenceEqual(set.Genres))
            throw new GenreException($"the data's genres ({string.Join(", ", set.Genres)}) differ from the model's ({string.Join(", ", config.Genres)})");

        var parts = new List<(string Name, List<int> Chunks)>();
        if (config.Split == "chunks")
        {
            var s = SongSplit.Split(set, SplitKind.Chunks, config.ValidationFraction, config.Seed);
            parts.Add(("train", s.TrainChunks.ToList()));
            parts.Add(("validation", s.ValidationChunks.ToList()));
        }
        else
        {
            // Fixed partitions name a test side and the songs they leave out (unused); songs the record never saw are unseen.
            var side = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, keys) in new[] { ("unused", split.Unused), ("train", split.Train), ("validation", split.Validation), ("test", split.Test) })
                foreach (var key in keys ?? []) side[key] = name;
            var lists = new[] { "train", "validation", "test", "unused", "unseen" }.ToDictionary(n => n, _ => new List<int>());
            for (int c = 0; c < set.ChunkCount; c++)
                lists[side.GetValueOrDefault(set.Songs[set.ChunkSong[c]].Key, "unseen")].Add(c);
            parts.AddRange(lists.Where(kv => kv.Value.Count > 0).Select(kv => (kv.Key, kv.Value)));
        }

        var results = new List<PartResult>();
        ConfusionMatrix? matrix = null;
        IReadOnlyList<ConfidenceRow>? confidence = null;
        // The test side, when there is one, is the only figure called a test figure; otherwise validation.
        string matrixPart = parts.FirstOrDefault(p => p.Name == "test").Name ?? parts.FirstOrDefault(p => p.Name == "validation").Name ?? parts[^1].Name;
        foreach (var (name, chunks) in parts)
        {
            var scores = Scoring.Score(model.Network, set, chunks, config.Normalization, 64, cancel);
            var cm = new ConfusionMatrix(set.Genres);
            for (int i = 0; i < chunks.Count; i++) cm.Add(set.Label(chunks[i]), Scoring.ArgMax(scores.Probabilities[i]));
            results.Add(new PartResult(name, chunks.Select(c => set.ChunkSong[c]).Distinct().Count(), chunks.Count, scores.MeanLoss, cm.Accuracy,
                Scoring.SongAccuracy(set, chunks, scores.Probabilities, config.SongAveraging)));
            if (name != matrixPart) continue;
            matrix = cm;
            confidence = ConfidenceTable(set, chunks, scores.Probabilities, config.SongAveraging);
        }
        string? warning = config.Split == "chunks"
            ? "split by chunks: chunks of the same song are on both sides, so validation accuracy is inflated (train with --split songs for an honest figure)"
            : null;
        return new EvaluationResult(config.Split, results, matrixPart, set.Genres, matrix!.Counts, matrix.PerGenre(), warning, confidence);
    }

    /// <summary>Thresholds shown by <c>evaluate</c>: what raising `--min-confidence` buys.</summary>
    public static readonly IReadOnlyList<double> ConfidenceThresholds = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>Coverage and accuracy of the confident songs among <paramref name="chunks"/>, for each threshold.</summary>
    public static IReadOnlyList<ConfidenceRow> ConfidenceTable(FeatureSet set, IReadOnlyList<int> chunks, float[][] probabilities,
        SongAveraging averaging = SongAveraging.Probabilities)
    {
        int k = set.Genres.Count;
        var songs = new List<(int Label, int Genre, float[] Flat)>();
        foreach (var group in chunks.Select((c, i) => (Song: set.ChunkSong[c], i)).GroupBy(t => t.Song))
        {
            var flat = group.SelectMany(t => probabilities[t.i]).ToArray();
            songs.Add((set.Songs[group.Key].Label, Scoring.ArgMax(SongAverage.Of(flat, k, averaging)), flat));
        }
        return ConfidenceThresholds.Select(t =>
        {
            var marked = songs.Select(s => (Right: s.Genre == s.Label, Prediction.Confidence.Of(s.Flat, k, s.Genre, t).Confident)).ToList();
            var sure = marked.Where(m => m.Confident).ToList();
            var unsure = marked.Where(m => !m.Confident).ToList();
            double? Accuracy(List<(bool Right, bool Confident)> side) => side.Count == 0 ? null : side.Average(m => m.Right ? 1.0 : 0);
            return new ConfidenceRow(t, songs.Count, sure.Count, (double)sure.Count / songs.Count, Accuracy(sure), Accuracy(unsure));
        }).ToList();
    }
}
