namespace Genre.Data;

/// <summary>
/// k folds for cross-validation by song: stratified by genre, no song in two folds, and (with a groups file)
/// every group (an artist, an album) inside one fold. Each fold's validation songs are the songs of that fold;
/// the others train. Deterministic for a seed.
/// </summary>
public static class SongFolds
{
    /// <summary>The fold (0..k-1) of every song of <paramref name="set"/>.</summary>
    /// <param name="groups">Each song's group key, or null for one group per song.</param>
    public static int[] Assign(FeatureSet set, int k, int seed, IReadOnlyList<string>? groups = null)
    {
        if (k < 2) throw new GenreException($"--folds {k} must be at least 2");
        int songs = set.Songs.Count;
        foreach (var genre in Enumerable.Range(0, set.Genres.Count))
        {
            int count = set.Songs.Count(s => s.Label == genre);
            if (count < k)
                throw new GenreException($"genre '{set.Genres[genre]}' has {count} song(s); {k} folds need at least {k} in every genre (use fewer --folds or add songs)");
        }
        groups ??= set.Songs.Select(s => s.Key).ToList();
        // A group goes where its songs' most common genre is least represented so far: folds stay stratified and balanced.
        var units = Enumerable.Range(0, songs).GroupBy(s => groups[s], StringComparer.Ordinal)
            .Select(g => (Songs: g.ToArray(), Genre: g.GroupBy(s => set.Songs[s].Label).OrderByDescending(x => x.Count()).ThenBy(x => x.Key).First().Key))
            .ToList();
        var rng = new Random(seed);
        var order = units.ToArray();
        rng.Shuffle(order);
        order = order.OrderByDescending(u => u.Songs.Length).ToArray(); // stable: shuffled within equal sizes
        var fold = new int[songs];
        var perGenre = new int[k, set.Genres.Count];
        var total = new int[k];
        foreach (var unit in order)
        {
            int best = 0;
            for (int f = 1; f < k; f++)
                if ((perGenre[f, unit.Genre], total[f]).CompareTo((perGenre[best, unit.Genre], total[best])) < 0) best = f;
            foreach (int s in unit.Songs) { fold[s] = best; perGenre[best, set.Songs[s].Label]++; }
            total[best] += unit.Songs.Length;
        }
        for (int f = 0; f < k; f++)
            if (total[f] == 0)
                throw new GenreException($"fold {f + 1} of {k} has no songs: the groups are too few or too large ({units.Count} groups); use fewer --folds");
        return fold;
    }

    /// <summary>Reads a groups CSV (header <c>file,group</c>; files named as in a split file) into a group key per song of
    /// <paramref name="set"/>. Songs it does not name form groups of their own; names of no song are reported.</summary>
    public static (string[] Groups, IReadOnlyList<string> Missing, int Unnamed) ReadGroups(string path, FeatureSet set)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: groups file not found; give a CSV with the header file,group");
        var byName = SplitFile.SongsByName(set.Songs.Select(s => s.Key).ToList());
        var groups = new string?[set.Songs.Count];
        var missing = new List<string>();
        using var reader = new StreamReader(path);
        foreach (var (lineNumber, file, group) in SplitFile.Rows(reader, path, "group"))
        {
            if (!byName.TryGetValue(file, out var songs)) { missing.Add(file); continue; }
            if (songs.Count > 1) throw new GenreException($"{path}: line {lineNumber}: {file} matches {songs.Count} files; name it by its path");
            if (groups[songs[0]] is not null) throw new GenreException($"{path}: line {lineNumber}: {file} already has a group; name each file once");
            groups[songs[0]] = "g:" + group;
        }
        int unnamed = groups.Count(g => g is null);
        return (groups.Select((g, s) => g ?? "song:" + set.Songs[s].Key).ToArray(), missing, unnamed);
    }
}
