namespace Genre.Data;

/// <summary>How chunks are divided between training, validation and (for fixed partitions) test.</summary>
public enum SplitKind
{
    /// <summary>By song, stratified by genre: no chunk of a validation song is ever trained on.</summary>
    Songs,
    /// <summary>The tutorial's random chunk split: chunks of one song land on both sides (leaky).</summary>
    Chunks,
    /// <summary>The fault-filtered GTZAN partition (Kereliuk, Sturm and Larsen 2015), built in: train, validation and test clips by id.</summary>
    Filtered,
    /// <summary>A partition read from a user's CSV (`--split-file`).</summary>
    File,
}

/// <summary>Which chunks train, validate and test, and which songs are validation songs. Fixed partitions also
/// name the files they list that are not in the data (<see cref="Missing"/>) and the songs they leave out (<see cref="Unused"/>).</summary>
public sealed record SplitResult(SplitKind Kind, int[] TrainChunks, int[] ValidationChunks, IReadOnlySet<string> ValidationSongs)
{
    public int[] TestChunks { get; init; } = [];
    public IReadOnlyList<string> Missing { get; init; } = [];
    public IReadOnlyList<string> Unused { get; init; } = [];
}

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

    /// <summary>Applies a fixed partition (filtered GTZAN or a split file) to the songs of <paramref name="set"/>.</summary>
    public static SplitResult Fixed(FeatureSet set, SplitFile file, SplitKind kind)
    {
        var assignment = file.Assign(set.Songs.Select(s => s.Key).ToList());
        if (assignment.Parts.Count == 0)
            throw new GenreException($"{file.Source}: none of its {file.Entries.Count} files is in the data (first: {file.Entries[0].File}); is it the split of another data set?");
        var validationSongs = assignment.Parts.Where(kv => kv.Value == SplitPart.Validation).Select(kv => set.Songs[kv.Key].Key).ToHashSet();
        return BySide(set, kind, song => assignment.Parts.TryGetValue(song, out var part) ? part : null, validationSongs) with
        {
            Missing = assignment.Missing, Unused = assignment.Unused,
        };
    }

    /// <summary>Re-creates a fixed partition from its record (resume): songs are on the side the record names; others are unused.</summary>
    public static SplitResult FromRecord(FeatureSet set, SplitKind kind, IReadOnlyList<string> train, IReadOnlyList<string> validation, IReadOnlyList<string> test)
    {
        var side = new Dictionary<string, SplitPart>(StringComparer.Ordinal);
        foreach (var k in train) side[k] = SplitPart.Train;
        foreach (var k in validation) side[k] = SplitPart.Validation;
        foreach (var k in test) side[k] = SplitPart.Test;
        return BySide(set, kind, song => side.TryGetValue(set.Songs[song].Key, out var part) ? part : null, validation.ToHashSet());
    }

    /// <summary>Puts every chunk on its song's side; songs without a side are left out.</summary>
    static SplitResult BySide(FeatureSet set, SplitKind kind, Func<int, SplitPart?> sideOfSong, IReadOnlySet<string> validationSongs)
    {
        var chunks = new Dictionary<SplitPart, List<int>> { [SplitPart.Train] = new(), [SplitPart.Validation] = new(), [SplitPart.Test] = new() };
        for (int c = 0; c < set.ChunkCount; c++)
            if (sideOfSong(set.ChunkSong[c]) is { } part) chunks[part].Add(c);
        return new SplitResult(kind, chunks[SplitPart.Train].ToArray(), chunks[SplitPart.Validation].ToArray(), validationSongs)
        {
            TestChunks = chunks[SplitPart.Test].ToArray(),
        };
    }
}
