using System.Text.Json.Serialization;
using TagTypes = TagLib.TagTypes;

namespace Genre.Library;

/// <summary>Which tag field receives the genre.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TagField>))]
public enum TagField { Genre, Comment }

/// <summary>The field as a file's tags held it: the tag kinds present on disk, and each touched tag's values
/// (null: the field was absent). Enough to put back exactly what was there.</summary>
public sealed record TagSnapshot(IReadOnlyList<string> TagsOnDisk, IReadOnlyDictionary<string, string[]?> Values)
{
    /// <summary>The value a listing shows: the first tag (format's own tag first) that has one; null when none has.</summary>
    public string? Shown => Values.Values.FirstOrDefault(v => v is { Length: > 0 }) is { } v ? string.Join("; ", v) : null;
}

/// <summary>
/// Writes one field into a song's own tags (ID3v2 in MP3 and AIFF, Vorbis comments in FLAC and Ogg, MP4 atoms in M4A,
/// the RIFF INFO list in WAV) without ever risking the song: the change is made on a copy beside it
/// (<c>.NAME.genre-tmp</c>), the copy is re-opened and its audio bytes compared with the original's, and only then
/// is it renamed over the original, with the original's permissions and modification time.
/// </summary>
public static class Tagger
{
    public const string TempSuffix = ".genre-tmp";
    /// <summary>Tag kinds whose text fields we edit; others on disk (pictures, Matroska...) are carried along untouched.</summary>
    const TagTypes Editable = TagTypes.Id3v1 | TagTypes.Id3v2 | TagTypes.Ape | TagTypes.Xiph | TagTypes.Apple | TagTypes.RiffInfo;

    public static string TempPathFor(string file) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "." + Path.GetFileName(file) + TempSuffix);

    /// <summary>Deletes the temporary copies an interrupted run left in these folders (recursively) or beside these files.</summary>
    public static List<string> RemoveLeftovers(IEnumerable<string> paths)
    {
        var removed = new List<string>();
        foreach (var p in paths)
        {
            var candidates = Directory.Exists(p)
                ? Directory.EnumerateFiles(p, "." + "*" + TempSuffix, new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
                : [TempPathFor(p)];
            foreach (var temp in candidates.Where(File.Exists))
            {
                File.Delete(temp);
                removed.Add(temp);
            }
        }
        return removed;
    }

    /// <summary>What the field holds now, per tag.</summary>
    public static TagSnapshot Read(string file, TagField field)
    {
        using var f = Open(file);
        return Snapshot(f, field);
    }

    /// <summary>Sets the field to <paramref name="value"/> in every tag kind the file has on disk plus the format's own.</summary>
    /// <param name="expected">The file as it was when its genre was predicted; a file that differs is left alone.</param>
    public static void Write(string file, TagField field, string value, FileStamp expected) =>
        Rewrite(file, expected,
            edit: f =>
            {
                var own = OwnTag(f, file);
                f.RemoveTags(f.TagTypes & ~f.TagTypesOnDisk & ~own); // don't add tag kinds the file did not have (ID3v1...)
                foreach (var t in Touched(f, own)) Set(f.GetTag(t, create: true), field, [value]);
            },
            verify: f =>
            {
                if (Snapshot(f, field).Shown != value) throw new GenreException($"{file}: the tagged copy does not read back '{value}'; left as it is");
            });

    /// <summary>Puts back the field as <paramref name="before"/> recorded it, if it still holds what genre wrote.</summary>
    /// <returns>False when the file already held the recorded values (it was never changed, or was restored before).</returns>
    public static bool Restore(string file, TagField field, TagSnapshot before, string written)
    {
        var now = Read(file, field);
        if (Same(now, before)) return false;
        if (now.Shown != written)
            throw new GenreException($"{file}: its {Name(field)} is now '{now.Shown}', not the '{written}' genre wrote; left as it is");
        Rewrite(file, FileStamp.Of(file),
            edit: f =>
            {
                f.RemoveTags(f.TagTypes & ~f.TagTypesOnDisk); // TagLib's in-memory extras (an ID3v1 copied from the ID3v2...)
                foreach (var (name, values) in before.Values) Set(f.GetTag(Enum.Parse<TagTypes>(name), create: true), field, values);
                foreach (var t in Flags(f.TagTypes & Editable))
                    if (!before.TagsOnDisk.Contains(t.ToString()) && f.GetTag(t) is { IsEmpty: true }) f.RemoveTags(t);
            },
            verify: f =>
            {
                if (!Same(Snapshot(f, field), before)) throw new GenreException($"{file}: the restored copy does not read back the recorded values; left as it is");
            });
        return true;
    }

    static bool Same(TagSnapshot a, TagSnapshot b) =>
        b.Values.All(kv => a.Values.TryGetValue(kv.Key, out var v) && (v ?? []).SequenceEqual(kv.Value ?? []));

    public static string Name(TagField field) => field.ToString().ToLowerInvariant();

    static void Rewrite(string file, FileStamp expected, Action<TagLib.File> edit, Action<TagLib.File> verify)
    {
        EnsureUnchanged(file, expected);
        UnixFileMode? mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(file);
        bool readOnly = mode is { } m ? (m & UnixFileMode.UserWrite) == 0 : File.GetAttributes(file).HasFlag(FileAttributes.ReadOnly);
        if (readOnly) throw new GenreException($"{file}: is read-only; left as it is (chmod u+w to let genre tag it)");
        string temp = TempPathFor(file);
        bool committed = false;
        try
        {
            File.Copy(file, temp, overwrite: true);
            (long Start, long End) audio;
            using (var copy = Open(temp, file))
            {
                audio = AudioRange(copy);
                edit(copy);
                copy.Save();
            }
            using (var copy = Open(temp, file))
            {
                verify(copy);
                if (!SameBytes(file, audio, temp, AudioRange(copy)))
                    throw new GenreException($"{file}: tagging would change its audio bytes; left as it is");
            }
            TestHooks.Step(CancellationToken.None); // lets the tests kill a run between the checked copy and the rename
            EnsureUnchanged(file, expected);
            if (mode is { } keep && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, keep);
            File.SetLastWriteTimeUtc(temp, expected.ModifiedUtc);
            using (var s = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) s.Flush(flushToDisk: true);
            File.Move(temp, file, overwrite: true);
            committed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GenreException($"{file}: {e.Message}; left as it is");
        }
        catch (Exception e) when (IsTagLibFailure(e))
        {
            throw new GenreException($"{file}: TagLib could not rewrite its tags ({e.GetType().Name}: {e.Message}); left as it is");
        }
        finally
        {
            if (!committed) try { File.Delete(temp); } catch (IOException) { }
        }
    }

    static void EnsureUnchanged(string file, FileStamp expected)
    {
        if (FileStamp.Of(file) != expected) throw new GenreException($"{file}: changed during the run (size or modification time); left as it is, run again to tag it");
    }

    /// <param name="song">The song whose kind (by its extension) <paramref name="path"/> holds: the temporary copy's own name says nothing.</param>
    static TagLib.File Open(string path, string? song = null)
    {
        song ??= path;
        try { return TagLib.File.Create(path, "taglib/" + Path.GetExtension(song).TrimStart('.').ToLowerInvariant(), TagLib.ReadStyle.Average); }
        catch (Exception e) when (e is TagLib.UnsupportedFormatException or TagLib.CorruptFileException || IsTagLibFailure(e))
        {
            throw new GenreException($"{song}: TagLib cannot read its tags ({e.Message.Replace(path, Path.GetFileName(song))}); left as it is");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GenreException($"{song}: {e.Message}; left as it is");
        }
    }

    /// <summary>Malformed files make TagLib throw all sorts of exceptions (index, argument, overflow...): each is that file's problem.</summary>
    static bool IsTagLibFailure(Exception e) =>
        e is not (GenreException or OperationCanceledException or OutOfMemoryException or IOException or UnauthorizedAccessException);

    /// <summary>The tag kind that belongs to the format.</summary>
    static TagTypes OwnTag(TagLib.File f, string file) => f switch
    {
        TagLib.Mpeg.AudioFile or TagLib.Aiff.File => TagTypes.Id3v2,
        TagLib.Flac.File or TagLib.Ogg.File => TagTypes.Xiph,
        TagLib.Mpeg4.File => TagTypes.Apple,
        TagLib.Riff.File => TagTypes.RiffInfo,
        _ => throw new GenreException($"{file}: genre does not write tags into {f.MimeType} files; left as it is"),
    };

    /// <summary>The format's own tag first, then the other editable kinds on disk.</summary>
    static IEnumerable<TagTypes> Touched(TagLib.File f, TagTypes own) =>
        new[] { own }.Concat(Flags(f.TagTypesOnDisk & Editable & ~own));

    static IEnumerable<TagTypes> Flags(TagTypes types) =>
        Enum.GetValues<TagTypes>().Where(t => t != TagTypes.None && t != TagTypes.AllTags && (types & t) == t && int.IsPow2((int)t));

    static TagSnapshot Snapshot(TagLib.File f, TagField field)
    {
        var values = new Dictionary<string, string[]?>();
        foreach (var t in Touched(f, OwnTag(f, f.Name)))
            values[t.ToString()] = f.GetTag(t) is { } tag ? Get(tag, field) : null;
        return new TagSnapshot(Flags(f.TagTypesOnDisk & Editable).Select(t => t.ToString()).ToList(), values);
    }

    static string[]? Get(TagLib.Tag tag, TagField field) => field switch
    {
        TagField.Genre => tag.Genres is { Length: > 0 } g ? g : null,
        _ => string.IsNullOrEmpty(tag.Comment) ? null : [tag.Comment],
    };

    static void Set(TagLib.Tag tag, TagField field, string[]? values)
    {
        if (field == TagField.Genre) tag.Genres = values ?? [];
        else tag.Comment = values?[0];
    }

    /// <summary>The audio between the tags: TagLib's invariant range, past FLAC's metadata blocks (which TagLib counts in).</summary>
    static (long Start, long End) AudioRange(TagLib.File f)
    {
        long start = f.InvariantStartPosition, end = f.InvariantEndPosition;
        if (f is TagLib.Flac.File)
        {
            f.Mode = TagLib.File.AccessMode.Read;
            f.Seek(start);
            if (f.ReadBlock(4).ToString(TagLib.StringType.Latin1) == "fLaC")
            {
                for (bool last = false; !last;)
                {
                    var header = f.ReadBlock(4);
                    if (header.Count < 4) break;
                    last = (header[0] & 0x80) != 0;
                    f.Seek(f.Tell + ((header[1] << 16) | (header[2] << 8) | header[3]));
                }
                start = f.Tell;
            }
        }
        return (start, end);
    }

    static bool SameBytes(string a, (long Start, long End) ra, string b, (long Start, long End) rb)
    {
        if (ra.End - ra.Start != rb.End - rb.Start) return false;
        using var sa = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var sb = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        sa.Seek(ra.Start, SeekOrigin.Begin);
        sb.Seek(rb.Start, SeekOrigin.Begin);
        var ba = new byte[1 << 16];
        var bb = new byte[1 << 16];
        for (long left = ra.End - ra.Start; left > 0;)
        {
            int n = (int)Math.Min(ba.Length, left);
            sa.ReadExactly(ba, 0, n);
            sb.ReadExactly(bb, 0, n);
            if (!ba.AsSpan(0, n).SequenceEqual(bb.AsSpan(0, n))) return false;
            left -= n;
        }
        return true;
    }
}
