namespace Genre.Audio;

/// <summary>Opens any supported audio file as mono samples at the rate asked for, picking the decoder by content.</summary>
public static class AudioReader
{
    /// <summary>Extensions that <c>genre</c> looks for when it searches folders.</summary>
    public static readonly IReadOnlySet<string> AudioExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".au", ".snd", ".mp3", ".ogg", ".oga", ".flac", ".m4a", ".aac", ".opus", ".wma", ".aif", ".aiff", ".mp2", ".webm", ".mka",
    };

    static readonly HashSet<string> NativeOnly = new(StringComparer.OrdinalIgnoreCase) { ".wav", ".wave", ".au", ".snd" };

    public static bool IsAudioFile(string path) => AudioExtensions.Contains(Path.GetExtension(path));

    /// <summary>Opens <paramref name="path"/> as mono audio resampled to <paramref name="sampleRate"/> Hz.</summary>
    public static AudioStream Open(string path, int sampleRate)
    {
        var source = OpenNative(path);
        return source.SampleRate == sampleRate ? source : new ResamplingAudioStream(source, sampleRate);
    }

    /// <summary>Reads the whole file as mono at <paramref name="sampleRate"/> Hz.</summary>
    public static float[] Load(string path, int sampleRate)
    {
        using var stream = Open(path, sampleRate);
        return stream.ReadToEnd();
    }

    /// <summary>Opens the file at its own sample rate.</summary>
    public static AudioStream OpenNative(string path)
    {
        if (Directory.Exists(path)) throw new AudioFormatException($"{path}: is a folder, not an audio file");
        FileStream file;
        try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (FileNotFoundException) { throw new AudioFormatException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new AudioFormatException($"{path}: file not found"); }
        catch (UnauthorizedAccessException) { throw new AudioFormatException($"{path}: permission denied (make the file readable)"); }
        catch (IOException e) { throw new AudioFormatException($"{path}: cannot be read ({e.Message})"); }

        try
        {
            Span<byte> head = stackalloc byte[12];
            int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (n == 0) throw new AudioFormatException($"{path}: file is empty");
            head = head[..n];
            file.Position = 0;
            if (WavDecoder.LooksLikeWav(head)) return WavDecoder.Open(file, path);
            if (AuDecoder.LooksLikeAu(head)) return AuDecoder.Open(file, path);
            string ext = Path.GetExtension(path);
            if (NativeOnly.Contains(ext))
                throw new AudioFormatException($"{path}: not a {ext.TrimStart('.').ToUpperInvariant()} file (its header is not a {(ext.Contains("wav", StringComparison.OrdinalIgnoreCase) ? "RIFF/WAVE" : ".snd")} header)");
            if (head.StartsWith("OggS"u8) && IsVorbis(file))
                return new VorbisAudioStream(file, path);
            if (LooksLikeMp3(head, ext))
                return new Mp3AudioStream(file, path);
            file.Dispose();
            return FfmpegDecoder.Open(path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    static bool IsVorbis(FileStream file)
    {
        Span<byte> page = stackalloc byte[64];
        int n = file.ReadAtLeast(page, page.Length, throwOnEndOfStream: false);
        file.Position = 0;
        return page[..n].IndexOf("\u0001vorbis"u8) >= 0;
    }

    static bool LooksLikeMp3(ReadOnlySpan<byte> head, string ext) =>
        head.StartsWith("ID3"u8) || (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 && ext.Equals(".mp3", StringComparison.OrdinalIgnoreCase));
}
