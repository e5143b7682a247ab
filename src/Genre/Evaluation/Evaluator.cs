using Genre.Data;
using Genre.Model;
using Genre.Training;

namespace Genre.Evaluation;

/// <summary>Loss and accuracy of one part of the data (training, validation or songs the model never saw).</summary>
public sealed record PartResult(string Name, int Songs, int Chunks, double Loss, double Accuracy, double SongAccuracy);

/// <summary>Everything <c>genre evaluate</c> reports.</summary>
public sealed record EvaluationResult(string Split, IReadOnlyList<PartResult> Parts, string MatrixPart,
    IReadOnlyList<string> Genres, int[][] ConfusionMatrix, IReadOnlyList<GenreMetrics> PerGenre, string? Warning);

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
            var train = split.Train.ToHashSet();
            var val = split.Validation.ToHashSet();
            var lists = new Dictionary<string, List<int>> { ["train"] = new(), ["validation"] = new(), ["unseen"] = new() };
            for (int c = 0; c < set.ChunkCount; c++)
            {
                string key = set.Songs[set.ChunkSong[c]].Key;
                lists[val.Contains(key) ? "validation" : train.Contains(key) ? "train" : "unseen"].Add(c);
            }
            parts.AddRange(lists.Where(kv => kv.Value.Count > 0).Select(kv => (kv.Key, kv.Value)));
        }

        var results = new List<PartResult>();
        ConfusionMatrix? matrix = null;
        string matrixPart = parts.Any(p => p.Name == "validation") ? "validation" : parts[^1].Name;
        foreach (var (name, chunks) in parts)
        {
            var scores = Scoring.Score(model.Network, set, chunks, config.Normalization, 64, cancel);
            var cm = new ConfusionMatrix(set.Genres);
            for (int i = 0; i < chunks.Count; i++) cm.Add(set.Label(chunks[i]), Scoring.ArgMax(scores.Probabilities[i]));
            results.Add(new PartResult(name, chunks.Select(c => set.ChunkSong[c]).Distinct().Count(), chunks.Count, scores.MeanLoss, cm.Accuracy,
                Scoring.SongAccuracy(set, chunks, scores.Probabilities)));
            if (name == matrixPart) matrix = cm;
        }
        string? warning = config.Split == "chunks"
            ? "split by chunks: chunks of the same song are on both sides, so validation accuracy is inflated (train with --split songs for an honest figure)"
            : null;
        return new EvaluationResult(config.Split, results, matrixPart, set.Genres, matrix!.Counts, matrix.PerGenre(), warning);
    }
}
