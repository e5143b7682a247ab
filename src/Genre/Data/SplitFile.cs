using System.Reflection;

namespace Genre.Data;

/// <summary>The three sides of a fixed partition. Epochs are chosen on <see cref="Validation"/>; <see cref="Test"/> is only evaluated.</summary>
public enum SplitPart { Train, Validation, Test }

/// <summary>
/// A fixed partition by file, read from a CSV with the header <c>file,split</c> and the values
/// <c>train</c>, <c>val</c> (or <c>validation</c>) and <c>test</c>; lines starting with '#' are comments.
/// A file is named by its clip id (<c>blues.00012</c>, the file name without extension), its file
/// name, or its path relative to the data root with or without extension (<c>blues/blues.00012.au</c>).
/// </summary>
public sealed record SplitFile(string Source, IReadOnlyList<(string File, SplitPart Part)> Entries)
{
    /// <summary>Name of the built-in fault-filtered GTZAN partition (`--split filtered`).</summary>
    public const string GtzanFilteredSource = "gtzan-filtered.csv (built in)";

    /// <summary>The fault-filtered GTZAN partition of Kereliuk, Sturm and Larsen (2015): 443 train, 197 validation, 290 test clips
    /// (ids from Debian's torchaudio 0.13, datasets/gtzan.py; written by tools/make_gtzan_split.py).</summary>
    public static SplitFile GtzanFiltered()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Genre.Data.gtzan-filtered.csv")
            ?? throw new InvalidOperationException("the built-in GTZAN partition is missing from the library");
        using var reader = new StreamReader(stream);
        return Parse(reader, GtzanFilteredSource);
    }

    public static SplitFile Read(string path)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: split file not found; give a CSV with the header file,split");
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    public static SplitFile Parse(TextReader reader, string source)
    {
        var entries = new List<(string, SplitPart)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (lineNumber, file, value) in Rows(reader, source, "split"))
        {
            var part = value.ToLowerInvariant() switch
            {
                "train" => SplitPart.Train,
                "val" or "validation" => SplitPart.Validation,
                "test" => SplitPart.Test,
                var v => throw new GenreException($"{source}: line {lineNumber}: split '{v}' must be train, val or test"),
            };
            if (seen.TryGetValue(file, out int first))
                throw new GenreException($"{source}: line {lineNumber}: {file} is already listed on line {first}; name each file once");
            seen[file] = lineNumber;
            entries.Add((file, part));
        }
        if (entries.Count == 0) throw new GenreException($"{source}: no files listed; expected lines 'file,split' after the header");
        return new SplitFile(source, entries);
    }

    /// <summary>The rows of a two-column CSV whose header is <c>file,<paramref name="column"/></c> (split files, groups
    /// files): line number, file name ('/' separators) and value, both trimmed; blank lines and '#' comments skipped.</summary>
    public static IEnumerable<(int Line, string File, string Value)> Rows(TextReader reader, string source, string column)
    {
        bool header = false;
        int lineNumber = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            var fields = text.Split(',');
            if (!header)
            {
                if (fields.Length != 2 || fields[0].Trim() != "file" || fields[1].Trim() != column)
                    throw new GenreException($"{source}: line {lineNumber}: the header must be 'file,{column}', found '{text}'");
                header = true;
                continue;
            }
            if (fields.Length != 2 || fields[1].Trim().Length == 0)
                throw new GenreException($"{source}: line {lineNumber}: expected 'file,{column}', found '{text}'");
            string file = fields[0].Trim().Replace('\\', '/');
            if (file.Length == 0) throw new GenreException($"{source}: line {lineNumber}: empty file name");
            yield return (lineNumber, file, fields[1].Trim());
        }
        if (!header) throw new GenreException($"{source}: empty; expected the header file,{column} and a line per file");
    }

    public int Count(SplitPart part) => Entries.Count(e => e.Part == part);

    /// <summary>Matches the entries to the songs of a data set: which side each song is on, which entries
    /// name no song (missing on disk) and which songs no entry names (not in the split: left unused).</summary>
    public SplitAssignment Assign(IReadOnlyList<string> songKeys)
    {
        var byName = SongsByName(songKeys);
        var parts = new Dictionary<int, SplitPart>();
        var namedBy = new Dictionary<int, string>();
        var missing = new List<string>();
        foreach (var (file, part) in Entries)
        {
            if (!byName.TryGetValue(file, out var songs)) { missing.Add(file); continue; }
            if (songs.Count > 1)
                throw new GenreException($"{Source}: {file} matches {songs.Count} files ({string.Join(", ", songs.Select(s => songKeys[s]))}); name it by its path");
            int song = songs[0];
            if (namedBy.TryGetValue(song, out var other))
                throw new GenreException($"{Source}: {songKeys[song]} is named twice ({other} and {file}); name each file once");
            namedBy[song] = file;
            parts[song] = part;
        }
        var unused = Enumerable.Range(0, songKeys.Count).Where(s => !parts.ContainsKey(s)).Select(s => songKeys[s]).ToList();
        return new SplitAssignment(parts, missing, unused);
    }

    /// <summary>Every name a file may be given by (<see cref="NamesOf"/>), with the songs it names (more than one: ambiguous).</summary>
    public static Dictionary<string, List<int>> SongsByName(IReadOnlyList<string> songKeys)
    {
        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int s = 0; s < songKeys.Count; s++)
            foreach (var name in NamesOf(songKeys[s]))
            {
                if (!byName.TryGetValue(name, out var list)) byName[name] = list = new List<int>();
                if (!list.Contains(s)) list.Add(s);
            }
        return byName;
    }

    /// <summary>The names a split file may use for a song key like "blues/blues.00012.au".</summary>
    static IEnumerable<string> NamesOf(string key)
    {
        yield return key;
        string fileName = Path.GetFileName(key);
        yield return fileName;
        string ext = Path.GetExtension(key);
        if (ext.Length > 0 && Audio.AudioReader.IsAudioFile(key))
        {
            yield return key[..^ext.Length];
            yield return fileName[..^ext.Length];
        }
    }
}

/// <summary>The side of each song (by index in the data set), the split's entries missing on disk, and the songs left out of the split.</summary>
public sealed record SplitAssignment(IReadOnlyDictionary<int, SplitPart> Parts, IReadOnlyList<string> Missing, IReadOnlyList<string> Unused);
