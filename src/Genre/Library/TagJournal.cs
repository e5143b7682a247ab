using System.Text.Json;
using Genre.Model;
using Genre.Reports;

namespace Genre.Library;

/// <summary>One file's change: the field's previous values (per tag) and the value genre wrote.</summary>
public sealed record TagChange(string File, TagField Field, TagSnapshot Before, string Value);

/// <summary>
/// The record of `genre tag` runs (JSON, written atomically): every file's previous value, saved before the file is
/// changed, so `genre tag --undo JOURNAL` can put it back even after an interrupted run. A file tagged again keeps
/// the value it had before genre first touched it.
/// </summary>
public sealed class TagJournal
{
    public const string DefaultName = "genre-tag-journal.json";
    const int FormatVersion = 1;

    sealed record Document(int FormatVersion, List<TagChange> Changes);

    readonly List<TagChange> _changes;
    public string Path { get; }
    public IReadOnlyList<TagChange> Changes => _changes;

    TagJournal(string path, List<TagChange> changes) { Path = path; _changes = changes; }

    /// <summary>The journal at <paramref name="path"/>, or an empty one if there is none yet.</summary>
    public static TagJournal OpenOrCreate(string path) => File.Exists(path) ? Load(path) : new TagJournal(path, []);

    public static TagJournal Load(string path)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: no such journal (genre tag writes one into the tagged folder: {DefaultName})");
        Document? doc;
        try { doc = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), ModelConfig.Json); }
        catch (JsonException e) { throw new GenreException($"{path}: not a genre tag journal ({e.Message})"); }
        if (doc?.Changes is null) throw new GenreException($"{path}: not a genre tag journal (no changes list)");
        if (doc.FormatVersion > FormatVersion) throw new GenreException($"{path}: journal format {doc.FormatVersion} is newer than this genre understands ({FormatVersion}); update genre");
        return new TagJournal(path, doc.Changes);
    }

    /// <summary>Records a change (not saved until <see cref="Save"/>); a file already in the journal keeps its first previous value.</summary>
    public void Add(TagChange change)
    {
        int i = _changes.FindIndex(c => c.File == change.File && c.Field == change.Field);
        if (i < 0) _changes.Add(change);
        else _changes[i] = _changes[i] with { Value = change.Value };
    }

    public void Remove(TagChange change) => _changes.Remove(change);

    /// <summary>Writes the journal (atomically, flushed to disk); an empty journal is deleted.</summary>
    public void Save()
    {
        if (_changes.Count == 0) { File.Delete(Path); return; }
        AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(new Document(FormatVersion, _changes), ModelConfig.Json));
    }
}
