namespace Genre.Prediction;

/// <summary>
/// How far a song's genre can be trusted, from its chunks: <see cref="Spread"/> is the standard
/// deviation over chunks of the chosen genre's probability (population, 0 for one chunk),
/// <see cref="Agreement"/> the share of chunks whose own top genre is the song's. The verdict is
/// "uncertain" when the song's probability is below the minimum confidence or fewer than half of
/// its chunks agree, "confident" otherwise.
/// </summary>
public sealed record Confidence(double Spread, double Agreement, bool Confident)
{
    /// <summary>Default of `--min-confidence`: songs whose genre has less probability than this are uncertain.</summary>
    public const double DefaultMinConfidence = 0.5;
    /// <summary>Songs on which fewer than this share of chunks agree are uncertain.</summary>
    public const double MinAgreement = 0.5;

    public string Verdict => Confident ? "confident" : "uncertain";

    /// <param name="chunkProbabilities">Chunk after chunk, <paramref name="classes"/> probabilities each.</param>
    /// <param name="genre">The song's genre (arg-max of the mean probabilities).</param>
    /// <param name="minConfidence">Lowest mean probability of <paramref name="genre"/> that is confident, in [0, 1].</param>
    public static Confidence Of(ReadOnlySpan<float> chunkProbabilities, int classes, int genre, double minConfidence)
    {
        int chunks = chunkProbabilities.Length / classes;
        if (chunks == 0 || chunks * classes != chunkProbabilities.Length)
            throw new ArgumentException($"{chunkProbabilities.Length} probabilities are not whole chunks of {classes} classes");
        double sum = 0, sumSquares = 0;
        int agree = 0;
        for (int c = 0; c < chunks; c++)
        {
            var p = chunkProbabilities.Slice(c * classes, classes);
            sum += p[genre];
            sumSquares += (double)p[genre] * p[genre];
            if (Training.Scoring.ArgMax(p) == genre) agree++;
        }
        double mean = sum / chunks;
        double spread = Math.Sqrt(Math.Max(0, sumSquares / chunks - mean * mean));
        double agreement = (double)agree / chunks;
        return new Confidence(spread, agreement, mean >= minConfidence && agreement >= MinAgreement);
    }
}
