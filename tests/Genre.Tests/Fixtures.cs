using Genre.Features;

namespace Genre.Tests;

/// <summary>Reference arrays made by tools/make_fixtures.py (Debian's torchaudio 0.13), see tests/fixtures/README.md.</summary>
static class Fixtures
{
    public static (float[] Data, int[] Shape) Load(string name) =>
        Npy.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", name));

    /// <summary>Largest |a-b| divided by the largest |b|.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxAbs = 0, maxErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
            maxErr = Math.Max(maxErr, Math.Abs(actual[i] - expected[i]));
        }
        return maxErr / Math.Max(maxAbs, 1e-30);
    }
}

/// <summary>A temporary folder removed after the test.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("genre-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

static class Signals
{
    public static float[] Sine(double hz, double seconds, int rate, double amplitude = 0.5, double phase = 0)
    {
        var x = new float[(int)Math.Round(seconds * rate)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate + phase));
        return x;
    }
}

/// <summary>Debian's ffmpeg and ffprobe (CI installs them): to make compressed files and to read them back independently.</summary>
static class FfmpegTool
{
    public static void Ffmpeg(params string[] args) => Run("ffmpeg", ["-nostdin", "-v", "error", "-y", .. args]);

    /// <summary>MD5 of a file's audio packets as ffmpeg demuxes them (no decoding, tags left out).</summary>
    public static string AudioMd5(string path) => Run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:a", "-c", "copy", "-f", "md5", "-"]).Trim();

    /// <summary><see cref="AudioMd5"/> of a file's former bytes.</summary>
    public static string AudioMd5Of(byte[] bytes, TempDir dir)
    {
        string path = dir.File($"former-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, bytes);
        try { return AudioMd5(path); } finally { File.Delete(path); }
    }

    /// <summary>ffprobe's answer (standard output).</summary>
    public static string Probe(params string[] args) => Run("ffprobe", ["-v", "error", .. args]);

    static string Run(string tool, string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} failed: {err}");
        return stdout.Result;
    }
}
