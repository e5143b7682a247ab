using Genre.Audio;

namespace Genre.Data;

/// <summary>One audio file of a labelled data set. <see cref="Key"/> is its path relative to the data root, with '/'.</summary>
public sealed record Song(string Genre, string Path, string Key, long Size, DateTime ModifiedUtc)
{
    /// <summary>The clip id used by published splits: file name without extension ("blues.00012").</summary>
    public string Id => System.IO.Path.GetFileNameWithoutExtension(Path);
}

/// <summary>A labelled data set on disk: one folder per genre holding audio files.</summary>
public sealed record Dataset(string Root, IReadOnlyList<string> Genres, IReadOnlyList<Song> Songs);

/// <summary>
/// Finds the genre folders of a data set: the shallowest folder whose sub-folders hold audio files,
/// so DIR/&lt;genre&gt;, GTZAN's genres/&lt;genre&gt;/*.au and Kaggle's Data/genres_original/&lt;genre&gt;/*.wav all work.
/// </summary>
public static class DatasetScanner
{
    const int MaxDepth = 4;

    public static Dataset Scan(string dataDir)
    {
        if (File.Exists(dataDir)) throw new GenreException($"{dataDir}: is a file; --data needs a folder with one sub-folder per genre");
        if (!Directory.Exists(dataDir)) throw new GenreException($"{dataDir}: data folder not found");
        var root = FindGenreRoot(Path.GetFullPath(dataDir))
            ?? throw new GenreException($"{dataDir}: no genre folders with audio files found (expected DIR/<genre>/*.wav or *.au; make a demo set with ./genre synth --out DIR)");
        var genres = new List<string>();
        var songs = new List<Song>();
        foreach (var genreDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var files = AudioFilesUnder(genreDir).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) continue;
            string genre = Path.GetFileName(genreDir);
            genres.Add(genre);
            foreach (var f in files)
            {
                var info = new FileInfo(f);
                songs.Add(new Song(genre, f, Path.GetRelativePath(root, f).Replace('\\', '/'), info.Length, info.LastWriteTimeUtc));
            }
        }
        if (genres.Count < 2)
            throw new GenreException($"{root}: found {genres.Count} genre folder with audio ({string.Join(", ", genres)}); a classifier needs at least 2");
        return new Dataset(root, genres, songs);
    }

    /// <summary>The shallowest folder with at least two sub-folders holding audio (at any depth); failing
    /// that, a folder with one such sub-folder that holds audio directly (reported as a one-genre set).</summary>
    static string? FindGenreRoot(string dir)
    {
        string? oneGenre = null;
        var level = new List<string> { dir };
        for (int depth = 0; depth < MaxDepth && level.Count > 0; depth++)
        {
            foreach (var candidate in level)
            {
                var withAudio = SubDirs(candidate).Where(HasAudioBelow).ToList();
                if (withAudio.Count >= 2) return candidate;
                if (withAudio.Count == 1 && AudioFilesIn(withAudio[0]).Any()) oneGenre ??= candidate;
            }
            level = level.SelectMany(SubDirs).ToList();
        }
        return oneGenre;
    }

    static bool HasAudioBelow(string dir)
    {
        try { return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(AudioReader.IsAudioFile); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return false; }
    }

    static IEnumerable<string> SubDirs(string dir)
    {
        try { return Directory.EnumerateDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.')).ToList(); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return []; }
    }

    static IEnumerable<string> AudioFilesIn(string dir)
    {
        try { return Directory.EnumerateFiles(dir).Where(AudioReader.IsAudioFile).ToList(); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return []; }
    }

    /// <summary>Audio files of a genre folder, recursively (albums inside genres are common).</summary>
    static IEnumerable<string> AudioFilesUnder(string dir) =>
        AudioFilesIn(dir).Concat(SubDirs(dir).SelectMany(AudioFilesUnder));

    /// <summary>Audio files of any number of files and folders (folders searched recursively), in a stable order.
    /// Lazy: one folder is listed at a time, so the first songs come at once however large the tree.</summary>
    public static IEnumerable<string> AudioFiles(IEnumerable<string> paths)
    {
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) foreach (var f in AudioFilesDepthFirst(p)) yield return f;
            else yield return p;
        }
    }

    static IEnumerable<string> AudioFilesDepthFirst(string dir)
    {
        foreach (var f in AudioFilesIn(dir).Order(StringComparer.Ordinal)) yield return f;
        foreach (var sub in SubDirs(dir).Order(StringComparer.Ordinal))
            foreach (var f in AudioFilesDepthFirst(sub)) yield return f;
    }
}
