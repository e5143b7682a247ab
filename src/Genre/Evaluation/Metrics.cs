namespace Genre.Evaluation;

/// <summary>Precision, recall and F1 of one genre, with its number of true items (support).</summary>
public sealed record GenreMetrics(string Genre, double Precision, double Recall, double F1, int Support);

/// <summary>Counts of (true genre, predicted genre) pairs; rows are true genres.</summary>
public sealed class ConfusionMatrix
{
    public IReadOnlyList<string> Genres { get; }
    public int[][] Counts { get; }

    public ConfusionMatrix(IReadOnlyList<string> genres)
    {
        Genres = genres;
        Counts = genres.Select(_ => new int[genres.Count]).ToArray();
    }

    public void Add(int truth, int predicted) => Counts[truth][predicted]++;

    public int Total => Counts.Sum(r => r.Sum());
    public double Accuracy => Total == 0 ? double.NaN : Enumerable.Range(0, Genres.Count).Sum(i => Counts[i][i]) / (double)Total;

    public IReadOnlyList<GenreMetrics> PerGenre() => Enumerable.Range(0, Genres.Count).Select(g =>
    {
        int tp = Counts[g][g];
        int predicted = Counts.Sum(r => r[g]);
        int actual = Counts[g].Sum();
        double p = predicted == 0 ? 0 : (double)tp / predicted;
        double r = actual == 0 ? 0 : (double)tp / actual;
        return new GenreMetrics(Genres[g], p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), actual);
    }).ToList();
}
