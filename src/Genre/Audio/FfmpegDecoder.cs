using System.Diagnostics;

namespace Genre.Audio;

/// <summary>
/// Everything else (FLAC, M4A/AAC, Opus, WMA...) through an installed ffmpeg, which converts to a
/// 32-bit float WAV on a pipe that <see cref="WavDecoder"/> reads. Rate and channels are kept, so
/// down-mixing and resampling stay ours and identical for every format.
/// </summary>
public static class FfmpegDecoder
{
    static readonly Lazy<string?> Executable = new(FindExecutable);

    public static bool IsAvailable => Executable.Value is not null;

    static string? FindExecutable()
    {
        string? env = Environment.GetEnvironmentVariable("GENRE_FFMPEG");
        if (!string.IsNullOrEmpty(env)) return File.Exists(env) ? env : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static AudioStream Open(string path)
    {
        string exe = Executable.Value ?? throw new AudioFormatException(
            $"{path}: this format needs ffmpeg, which is not installed (install it: apt-get install ffmpeg; WAV, AU, MP3 and OGG work without it)");
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "-nostdin", "-v", "error", "-i", path, "-vn", "-map", "0:a:0", "-f", "wav", "-acodec", "pcm_f32le", "-" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new AudioFormatException($"{path}: could not start ffmpeg");
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        var output = new ProcessOutputStream(process, errors);
        try { return WavDecoder.Open(output, path); }
        catch (AudioFormatException)
        {
            string message = output.ErrorText();
            output.Dispose();
            throw new AudioFormatException($"{path}: ffmpeg cannot decode it ({FirstLine(message, "no audio stream")})");
        }
    }

    static string FirstLine(string text, string fallback)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return string.IsNullOrEmpty(line) ? fallback : line;
    }

    /// <summary>ffmpeg's stdout; disposing it kills a process still running (e.g. on cancellation).</summary>
    sealed class ProcessOutputStream(Process process, Task<string> errors) : Stream
    {
        readonly Stream _inner = process.StandardOutput.BaseStream;
        public string ErrorText()
        {
            if (!process.WaitForExit(5000)) return "ffmpeg did not finish";
            return errors.Wait(5000) ? errors.Result : "";
        }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                _inner.Dispose();
                process.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
