namespace Genre.Prediction;

/// <summary>The one JSON shape of a song's prediction, used by `predict --format json` and the web API.</summary>
public static class PredictionJson
{
    public static Dictionary<string, object?> ToDictionary(SongPrediction p, IReadOnlyList<string> genres, int top, bool timeline)
    {
        var obj = new Dictionary<string, object?>
        {
            ["file"] = p.File,
            ["genre"] = p.Genre,
            ["probability"] = Math.Round(p.Probability, 6),
            ["top"] = p.Top(Math.Min(top, genres.Count)).Select(kv => kv.Key).ToArray(),
            ["probabilities"] = genres.ToDictionary(g => g, g => Math.Round(p.Probabilities[g], 6)),
            ["vote_genre"] = p.VoteGenre,
            ["chunks"] = p.Chunks,
            ["seconds"] = Math.Round(p.Seconds, 3),
        };
        if (p.Confidence is { } c)
        {
            obj["spread"] = Math.Round(c.Spread, 6);
            obj["agreement"] = Math.Round(c.Agreement, 6);
            obj["verdict"] = c.Verdict;
        }
        if (timeline)
            obj["timeline"] = p.Timeline.Select(c => new Dictionary<string, object>
            {
                ["start"] = Math.Round(c.Start, 3), ["end"] = Math.Round(c.End, 3), ["genre"] = c.Genre, ["probability"] = Math.Round(c.Probability, 6),
            }).ToArray();
        return obj;
    }
}
