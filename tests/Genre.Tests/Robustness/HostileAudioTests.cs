using System.Buffers.Binary;
using System.Text.Json;
using Genre.Tests.Cli;

namespace Genre.Tests.Robustness;

/// <summary>A music folder full of broken, absurd and hostile files, classified by the real `genre predict`:
/// every bad file gets one clear error line naming it, every good file its genre, and nothing crashes or hangs.</summary>
public class HostileAudioTests(TinyModel model) : IClassFixture<TinyModel>
{
    const int Rate = 22050;

    /// <summary>A 16-bit PCM (or other format tag) WAV file with every header field under the test's control.</summary>
    static byte[] Wav(int seconds, ushort formatTag = 1, ushort channels = 1, uint rate = Rate, ushort bits = 16, uint? dataSize = null, Func<int, float>? sample = null)
    {
        int frames = seconds * (int)Math.Min(rate, 48000);
        int bytesPerSample = bits / 8;
        var data = new byte[frames * channels * bytesPerSample];
        for (int i = 0; i < frames * channels; i++)
        {
            float v = sample?.Invoke(i) ?? (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / Rate));
            if (formatTag == 3) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), v);
            else BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 2), (short)(v * 32767));
        }
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + data.Length); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write(formatTag); w.Write(channels); w.Write(rate);
        w.Write(rate * channels * (uint)bytesPerSample); w.Write((ushort)(channels * bytesPerSample)); w.Write(bits);
        w.Write("data"u8); w.Write(dataSize ?? (uint)data.Length); w.Write(data);
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>A Sun .au file: 24-byte big-endian header, then 16-bit PCM.</summary>
    static byte[] Au(uint channels, uint rate, uint encoding = 3, int samples = Rate * 2)
    {
        var bytes = new byte[24 + samples * 2];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x2e736e64);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)samples * 2);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), encoding);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), rate);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), channels);
        for (int i = 0; i < samples; i++) BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(24 + 2 * i), (short)(9000 * Math.Sin(i * 0.05)));
        return bytes;
    }

    [Fact]
    public void A_folder_of_hostile_files_gives_one_clear_line_per_bad_file_and_genres_for_the_good_ones()
    {
        using var dir = new TempDir();
        string music = dir.File("music");
        Directory.CreateDirectory(music);
        void Put(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(music, name), bytes);
        var good = Wav(6);

        // what must be refused, with the words its error line must contain
        var bad = new Dictionary<string, string>
        {
            ["empty.wav"] = "empty",
            ["truncated header.wav"] = "",
            ["zero channels.wav"] = "channels",
            ["zero hertz.au"] = "sample rate",
            ["ten megahertz.au"] = "sample rate",
            ["four billion channels.au"] = "channels",
            ["unknown encoding.wav"] = "not supported",
            ["unknown encoding.au"] = "",
            ["not a number.wav"] = "NaN",
            ["infinite.wav"] = "infinite",
            ["silence.wav"] = "silent",
            ["a few samples.wav"] = "too short",
            ["notes.wav"] = "not a WAV",
            ["noise.mp3"] = "",
        };
        Put("empty.wav", []);
        Put("truncated header.wav", good[..30]);
        var zeroChannels = Wav(2);
        BinaryPrimitives.WriteUInt16LittleEndian(zeroChannels.AsSpan(22), 0);
        Put("zero channels.wav", zeroChannels);
        Put("zero hertz.au", Au(1, 0));
        Put("ten megahertz.au", Au(1, 10_000_000));
        Put("four billion channels.au", Au(4_000_000_000, Rate));
        Put("unknown encoding.wav", Wav(2, formatTag: 0x55));
        Put("unknown encoding.au", Au(1, Rate, encoding: 23)); // G.721 ADPCM
        Put("not a number.wav", Wav(3, formatTag: 3, bits: 32, sample: i => i == Rate ? float.NaN : 0.1f));
        Put("infinite.wav", Wav(3, formatTag: 3, bits: 32, sample: i => i == 2 * Rate ? float.PositiveInfinity : 0.1f));
        Put("silence.wav", Wav(3, sample: _ => 0));
        Put("a few samples.wav", good[..(44 + 10)]);
        File.WriteAllText(Path.Combine(music, "notes.wav"), "these are my notes, not audio\n");
        Put("noise.mp3", Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 >> 3)).ToArray());

        // what must work: odd names, a data size larger than the file, data cut short
        var fine = new[] { "名前 with spaces – ü.wav", "data larger than file.wav", "truncated data.wav" };
        Put(fine[0], good);
        Put(fine[1], Wav(3, dataSize: 0x7fff_fff0));
        Put(fine[2], Wav(20)[..(44 + Rate * 2 * 3)]);
        Directory.CreateDirectory(Path.Combine(music, "folder.mp3")); // a folder with an audio name: searched, holds nothing

        // unreadable: permissions bind only non-root users; a symbolic-link loop refuses everyone
        File.CreateSymbolicLink(Path.Combine(music, "loop a.wav"), Path.Combine(music, "loop b.wav"));
        File.CreateSymbolicLink(Path.Combine(music, "loop b.wav"), Path.Combine(music, "loop a.wav"));
        if (!IsRoot && !OperatingSystem.IsWindows())
        {
            Put("locked.wav", good);
            File.SetUnixFileMode(Path.Combine(music, "locked.wav"), UnixFileMode.None);
            bad["locked.wav"] = "";
        }

        var r = CliProcess.Run(TimeSpan.FromMinutes(2), "predict", "--model", model.ModelDir, "--format", "json", music);
        Assert.Equal(1, r.ExitCode); // some files failed, the others were classified
        Assert.DoesNotContain("   at ", r.Err);
        var lines = r.Out.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(l => Path.GetFileName(l.GetProperty("file").GetString()!));
        foreach (var (name, words) in bad)
        {
            Assert.True(lines.TryGetValue(name, out var line), $"{name}: no line in {r.Out}");
            Assert.True(line.TryGetProperty("error", out var error), $"{name}: expected an error, got {line}");
            string message = error.GetString()!;
            Assert.Contains(name, message);
            Assert.Contains(words, message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain('\n', message);
        }
        foreach (var name in fine)
        {
            Assert.True(lines.TryGetValue(name, out var line), $"{name}: no line in {r.Out}");
            Assert.False(line.TryGetProperty("error", out var e), $"{name}: {e}");
            Assert.Contains(line.GetProperty("genre").GetString(), model.Data.Dataset.Genres);
        }
        Assert.True(lines.Keys.Any(k => k.StartsWith("loop")), r.Out);
        Assert.All(lines.Where(kv => kv.Key.StartsWith("loop")), kv => Assert.True(kv.Value.TryGetProperty("error", out _)));
    }

    static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public void A_folder_named_like_audio_or_holding_none_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("album.mp3"));
        var r = CliProcess.Run("predict", "--model", model.ModelDir, dir.File("album.mp3"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("no audio files found", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));

        var missing = CliProcess.Run("predict", "--model", model.ModelDir, dir.File("no such song.wav"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("no such song.wav", missing.Err);
        Assert.Contains("no such file", missing.Err);
    }
}
