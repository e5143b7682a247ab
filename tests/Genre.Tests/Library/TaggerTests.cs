using Genre.Audio;
using Genre.Library;

namespace Genre.Tests.Library;

/// <summary>Tags written into files the tests make: WAV by our encoder, the others by ffmpeg; read back by TagLib and
/// checked independently by ffmpeg (audio packets' MD5, every tag's text).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // permissions are checked as Unix modes
public class TaggerTests
{
    /// <summary>A 2-s tone in the given format, with some tags of its own (an artist, and a genre when given).</summary>
    static string Song(TempDir dir, string ext, string? genre = null)
    {
        string wav = dir.File("tone.wav");
        using (var s = File.Create(wav)) WavDecoder.Write(s, Signals.Sine(440, 2, 22050), 1, 22050);
        string path = dir.File($"song.{ext}");
        var args = new List<string> { "-i", wav, "-metadata", "artist=Someone" };
        if (genre is not null) args.AddRange(["-metadata", $"genre={genre}"]);
        if (ext == "ogg") args.AddRange(["-c:a", "libvorbis"]);
        FfmpegTool.Ffmpeg([.. args, path]);
        return path;
    }

    /// <summary>MD5 of the audio packets alone, as ffmpeg demuxes them: tags do not enter it.</summary>
    static string AudioMd5(string path) => FfmpegTool.AudioMd5(path);

    /// <summary>Every tag ffprobe sees (format and stream) as "name=value" lines; names in lower case, as Vorbis comment
    /// names are case-insensitive (TagLib writes them in upper case, ffmpeg in lower case).</summary>
    static string AllTags(string path) => string.Join("\n", FfmpegTool.Probe("-show_entries", "format_tags:stream_tags", "-of", "flat", path)
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('=', 2) is [var name, var value] ? name.ToLowerInvariant() + "=" + value : line));

    [Theory]
    [InlineData("wav")]
    [InlineData("mp3")]
    [InlineData("flac")]
    [InlineData("ogg")]
    [InlineData("m4a")]
    public void Genre_is_written_with_the_audio_untouched_and_undo_restores_the_tags(string ext)
    {
        using var dir = new TempDir();
        string song = Song(dir, ext, genre: "Rock");
        File.SetUnixFileMode(song, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var mtime = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(song, mtime);
        string audio = AudioMd5(song), tags = AllTags(song);
        var before = Tagger.Read(song, TagField.Genre);
        Assert.Equal("Rock", before.Shown);

        Tagger.Write(song, TagField.Genre, "jazz", FileStamp.Of(song));

        Assert.Equal("jazz", Tagger.Read(song, TagField.Genre).Shown);
        Assert.Contains("jazz", AllTags(song), StringComparison.OrdinalIgnoreCase); // another reader sees it too
        Assert.Contains("Someone", AllTags(song)); // other tags kept
        Assert.Equal(audio, AudioMd5(song));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(song));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(song));
        Assert.False(File.Exists(Tagger.TempPathFor(song)));

        Assert.True(Tagger.Restore(song, TagField.Genre, before, "jazz"));
        Assert.Equal(tags, AllTags(song));
        Assert.Equal(audio, AudioMd5(song));
        Assert.Equal(before.Values, Tagger.Read(song, TagField.Genre).Values);
        Assert.False(Tagger.Restore(song, TagField.Genre, before, "jazz")); // twice is harmless
    }

    [Fact]
    public void Comment_field_is_written_and_restored_when_absent_before()
    {
        using var dir = new TempDir();
        string song = Song(dir, "mp3");
        var before = Tagger.Read(song, TagField.Comment);
        Assert.Null(before.Shown);
        Tagger.Write(song, TagField.Comment, "ambient", FileStamp.Of(song));
        Assert.Equal("ambient", Tagger.Read(song, TagField.Comment).Shown);
        Assert.Null(Tagger.Read(song, TagField.Genre).Shown);
        Tagger.Restore(song, TagField.Comment, before, "ambient");
        Assert.Null(Tagger.Read(song, TagField.Comment).Shown);
    }

    [Fact]
    public void Read_only_unparsable_and_changed_files_are_refused_and_left_untouched()
    {
        using var dir = new TempDir();
        string song = Song(dir, "flac");
        byte[] original = File.ReadAllBytes(song);

        File.SetUnixFileMode(song, UnixFileMode.UserRead);
        var e = Assert.Throws<GenreException>(() => Tagger.Write(song, TagField.Genre, "jazz", FileStamp.Of(song)));
        Assert.Contains("read-only", e.Message);
        File.SetUnixFileMode(song, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var stale = FileStamp.Of(song) with { Size = original.Length + 1 };
        Assert.Contains("changed during the run", Assert.Throws<GenreException>(() => Tagger.Write(song, TagField.Genre, "jazz", stale)).Message);
        Assert.Equal(original, File.ReadAllBytes(song));

        string garbage = dir.File("garbage.mp3");
        File.WriteAllText(garbage, "this is not an mp3 file at all");
        Assert.Contains("TagLib cannot read", Assert.Throws<GenreException>(() => Tagger.Write(garbage, TagField.Genre, "jazz", FileStamp.Of(garbage))).Message);
        string au = dir.File("clip.au");
        File.WriteAllBytes(au, [.. ".snd"u8, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0x56, 0x22, 0, 0, 0, 1]);
        Assert.Throws<GenreException>(() => Tagger.Write(au, TagField.Genre, "jazz", FileStamp.Of(au)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*" + Tagger.TempSuffix, SearchOption.AllDirectories));
    }

    [Fact]
    public void Copies_left_by_an_interrupted_run_are_removed()
    {
        using var dir = new TempDir();
        string song = Song(dir, "wav");
        Directory.CreateDirectory(dir.File("album"));
        File.WriteAllText(Tagger.TempPathFor(song), "half a copy");
        File.WriteAllText(Tagger.TempPathFor(dir.File("album/b.mp3")), "half a copy");
        var removed = Tagger.RemoveLeftovers([dir.Path]);
        Assert.Equal(2, removed.Count);
        Assert.Empty(Directory.GetFiles(dir.Path, "*" + Tagger.TempSuffix, SearchOption.AllDirectories));
        Assert.True(File.Exists(song));
    }
}
