using System.Diagnostics;
using System.Text.Json;
using Genre.Tests.Cli;

namespace Genre.Tests.Robustness;

/// <summary>A 3-hour recording is classified in bounded memory: features are streamed through the network
/// in batches, and only each chunk's probabilities are kept.</summary>
[Collection("interruptions")] // a heavy child process: not beside the other process tests
public class LongAudioTests(TinyModel model) : IClassFixture<TinyModel>
{
    /// <summary>Writes a WAV of 8-bit unsigned mono at 8 kHz (86 MB for 3 hours), block by block.</summary>
    static void WriteLongWav(string path, int seconds)
    {
        const int rate = 8000;
        long samples = (long)seconds * rate;
        using var s = new BufferedStream(File.Create(path), 1 << 20);
        using var w = new BinaryWriter(s);
        w.Write("RIFF"u8); w.Write((uint)(36 + samples)); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((ushort)1); w.Write((ushort)1); w.Write(rate); w.Write(rate); w.Write((ushort)1); w.Write((ushort)8);
        w.Write("data"u8); w.Write((uint)samples);
        var random = new Random(1);
        var block = new byte[rate];
        for (long i = 0; i < samples; i += rate)
        {
            for (int j = 0; j < block.Length; j++)
            {
                double t = (i + j) / (double)rate;
                block[j] = (byte)(128 + 40 * Math.Sin(2 * Math.PI * (220 + 20 * Math.Sin(t / 7)) * t) + 10 * (random.NextDouble() - 0.5));
            }
            w.Write(block, 0, (int)Math.Min(block.Length, samples - i));
        }
    }

    [Fact]
    public async Task A_three_hour_file_is_classified_in_bounded_memory()
    {
        using var dir = new TempDir();
        string song = dir.File("three hours.wav");
        WriteLongWav(song, 3 * 3600);
        using var p = CliProcess.Start("predict", "--model", model.ModelDir, "--format", "json", song);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peakKb = 0;
        var clock = Stopwatch.StartNew();
        while (!p.WaitForExit(100))
        {
            peakKb = Math.Max(peakKb, PeakResidentKb(p.Id));
            if (clock.Elapsed > TimeSpan.FromMinutes(4)) { p.Kill(true); Assert.Fail("predict of 3 hours did not finish in 4 minutes"); }
        }
        Assert.True(p.ExitCode == 0, await stderr);
        using var result = JsonDocument.Parse(await stdout);
        Assert.Equal(10816, result.RootElement.GetProperty("chunks").GetInt32()); // 465,118 frames: 2-s windows every second
        Assert.InRange(result.RootElement.GetProperty("seconds").GetDouble(), 10799.9, 10800.1);
        // runtime, libtorch and the model take ~400 MB; the song's 10,816 windows alone would add 482 MB
        Assert.True(peakKb < 800_000, $"peak resident memory {peakKb / 1024} MB");
    }

    /// <summary>VmHWM of a process: its peak resident set so far (0 once it has gone).</summary>
    static long PeakResidentKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException) { }
        return 0;
    }
}
