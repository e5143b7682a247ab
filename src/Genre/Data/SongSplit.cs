namespace Genre.Data;

/// <summary>How chunks are divided between training and validation.</summary>
public enum SplitKind
{
    /// <summary>By song, stratified by genre: no chunk of a validation song is ever trained on.</summary>
    Songs,
    /// <summary>The tutorial's random chunk split: chunks of one song land on both sides (leaky).</summary>
    Chunks,
}

/// <summary>Which chunks train and which validate, and which songs are validation songs.</summary>
public sealed record SplitResult(SplitKind Kind, int[] TrainChunks, int[] ValidationChunks, IReadOnlySet<string> ValidationSongs);

public static class SongSplit
{
    /// <summary>Splits the chunks of <paramref name="set"/>; deterministic for a seed.</summary>
    public static SplitResult Split(FeatureSet set, SplitKind kind, double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new GenreException($"validation fraction {validationFraction} must be between 0 and 1 (exclusive)");
        var rng = new Random(seed);
        if (kind == SplitKind.Chunks)
        {
            var all = Enumerable.Range(0, set.ChunkCount).ToArray();
            rng.Shuffle(all);
            int nVal = Math.Max(1, (int)Math.Round(all.Length * validationFraction));
            return new SplitResult(kind, all[nVal..].Order().ToArray(), all[..nVal].Order().ToArray(), new HashSet<string>());
        }
        var validationSongs = new HashSet<int>();
        foreach (var genre in Enumerable.Range(0, set.Genres.Count))
        {
            var songs = Enumerable.Range(0, set.Songs.Count).Where(s => set.Songs[s].Label == genre).ToArray();
            rng.Shuffle(songs);
            int nVal = songs.Length < 2 ? 0 : Math.Clamp((int)Math.Round(songs.Length * validationFraction), 1, songs.Length - 1);
            foreach (var s in songs[..nVal]) validationSongs.Add(s);
        }
        if (validationSongs.Count == 0)
            throw new GenreException("no genre has 2 or more songs, so no song can be held out for validation; add songs");
        var train = new List<int>();
        var val = new List<int>();
        for (int c = 0; c < set.ChunkCount; c++) (validationSongs.Contains(set.ChunkSong[c]) ? val : train).Add(c);
        return new SplitResult(kind, train.ToArray(), val.ToArray(), validationSongs.Select(s => set.Songs[s].Key).ToHashSet());
    }

    /// <summary>Re-creates a recorded split: chunks of the named validation songs validate.</summary>
    public static SplitResult FromValidationSongs(FeatureSet set, IReadOnlySet<string> validationSongs)
    {
        var train = new List<int>();
        var val = new List<int>();
        for (int c = 0; c < set.ChunkCount; c++) (validationSongs.Contains(set.Songs[set.ChunkSong[c]].Key) ? val : train).Add(c);
        return new SplitResult(SplitKind.Songs, train.ToArray(), val.ToArray(), validationSongs);
    }
}
