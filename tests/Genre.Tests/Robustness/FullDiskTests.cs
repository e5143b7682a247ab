using System.Diagnostics;
using System.Net;
using Genre.Tests.Cli;
using Xunit.Abstractions;

namespace Genre.Tests.Robustness;

/// <summary>A small file system mounted for one test: a full tmpfs, or a read-only one. Mounting needs root (or
/// CAP_SYS_ADMIN); where it is refused, <see cref="TryMount"/> returns null and the test says it skipped.</summary>
sealed class SmallFileSystem : IDisposable
{
    public string Path { get; }

    SmallFileSystem(string path) => Path = path;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <param name="options">Mount options, e.g. "size=256k" or "ro,size=64k".</param>
    public static SmallFileSystem? TryMount(string options)
    {
        string dir = Directory.CreateTempSubdirectory("genre-fs-").FullName;
        if (Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir) == 0) return new SmallFileSystem(dir);
        Directory.Delete(dir);
        return null;
    }

    /// <summary>Fills the file system to the last byte.</summary>
    public void Fill()
    {
        try
        {
            using var f = new FileStream(File("filler"), FileMode.Create);
            var block = new byte[4096];
            while (true) f.Write(block);
        }
        catch (IOException) { }
    }

    public void Dispose()
    {
        Run("umount", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    static int Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }
}

/// <summary>
/// Every command that writes, on a full disk and on a read-only folder: one line that names the path and says what to
/// do, exit status 3, no temporary file left, the finished work kept; and the server answers 507 when it cannot store
/// an upload.
/// </summary>
[Collection(Explanation.TrainedTinyModelCollection.Name)]
public class FullDiskTests(Explanation.TrainedTinyModel fixture, ITestOutputHelper output)
{
    string Song => fixture.Data.Dataset.Songs[0].Path;

    /// <summary>The commands that write, each with the place it writes to inside <paramref name="target"/>.</summary>
    string[][] Writers(string target, string cache, string results) =>
    [
        ["prepare", "--data", fixture.Data.DataDir, "--out", Path.Combine(target, "cache")],
        ["train", "--cache", cache, "--out", Path.Combine(target, "model"), "--epochs", "1"],
        ["predict", "--model", fixture.ModelDir, fixture.Data.DataDir, "--results", Path.Combine(target, "results.jsonl")],
        ["tag", "--from-results", results, "--journal", Path.Combine(target, "journal.json"), "--min-confidence", "0"],
        ["export-onnx", "--model", fixture.ModelDir, "--out", Path.Combine(target, "model.onnx")],
        ["explain", "--model", fixture.ModelDir, Song, "--out", Path.Combine(target, "why.png")],
        ["features", Song, "--out", Path.Combine(target, "song.npy")],
    ];

    void AssertRefusedInOneLine(ProcessResult r, string[] command, string target, string expected)
    {
        string what = string.Join(' ', command.Take(1));
        Assert.True(r.ExitCode == 3, $"{what}: exit {r.ExitCode}\n{r.Err}");
        var errors = r.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"{what}: {errors.Count} error lines\n{r.Err}");
        Assert.Contains(target, errors[0]);
        Assert.Contains(expected, errors[0]);
        Assert.DoesNotContain("internal error", r.Err);
        Assert.Empty(Directory.EnumerateFiles(target, "*.tmp", SearchOption.AllDirectories));
        output.WriteLine($"{what}: {errors[0]}");
    }

    /// <summary>What the commands read from, on the normal disk: a cache and a results file of music to tag.</summary>
    (string Cache, string Results) Inputs(TempDir dir)
    {
        string cache = dir.File("cache"), music = dir.File("music"), results = dir.File("results.jsonl");
        Assert.Equal(0, CliProcess.Run("prepare", "--data", fixture.Data.DataDir, "--out", cache).ExitCode);
        Directory.CreateDirectory(music);
        foreach (var s in fixture.Data.Dataset.Songs.Take(3)) File.Copy(s.Path, Path.Combine(music, Path.GetFileName(s.Path)));
        Assert.Equal(0, CliProcess.Run("predict", "--model", fixture.ModelDir, music, "--results", results).ExitCode);
        return (cache, results);
    }

    [Fact]
    public void Every_writing_command_on_a_full_disk_says_so_in_one_line_and_exits_3()
    {
        using var fs = SmallFileSystem.TryMount("size=512k");
        if (fs is null) { output.WriteLine("skipped: this user may not mount a tmpfs (needs root)"); return; }
        using var dir = new TempDir();
        var (cache, results) = Inputs(dir);
        foreach (var command in Writers(fs.Path, cache, results))
        {
            fs.Fill();
            var r = CliProcess.Run(command);
            AssertRefusedInOneLine(r, command, fs.Path, "no space left on the device");
            File.Delete(fs.File("filler"));
        }
    }

    [Fact]
    public void Prepare_keeps_the_songs_it_finished_when_the_disk_fills()
    {
        using var fs = SmallFileSystem.TryMount("size=1m"); // four songs' spectrograms (220 KB each), not 24
        if (fs is null) { output.WriteLine("skipped: this user may not mount a tmpfs (needs root)"); return; }
        string cache = fs.File("cache");
        var r = CliProcess.Run("prepare", "--data", fixture.Data.DataDir, "--out", cache);
        AssertRefusedInOneLine(r, ["prepare"], fs.Path, "no space left on the device");
        int kept = Directory.EnumerateFiles(cache, "*.npy", SearchOption.AllDirectories).Count();
        Assert.InRange(kept, 1, 23);
        foreach (var f in Directory.EnumerateFiles(cache, "*.npy", SearchOption.AllDirectories))
            Assert.Equal(2, Genre.Features.Npy.Read(f).Shape.Length); // every file kept is whole
    }

    [Fact]
    public void Every_writing_command_on_a_read_only_folder_says_so_in_one_line_and_exits_3()
    {
        using var fs = SmallFileSystem.TryMount("ro,size=64k");
        if (fs is null) { output.WriteLine("skipped: this user may not mount a tmpfs (needs root)"); return; }
        using var dir = new TempDir();
        var (cache, results) = Inputs(dir);
        foreach (var command in Writers(fs.Path, cache, results))
            AssertRefusedInOneLine(CliProcess.Run(command), command, fs.Path, "read-only");
    }

    [Fact]
    public async Task The_server_answers_507_when_it_cannot_store_an_upload()
    {
        using var fs = SmallFileSystem.TryMount("size=64k"); // a 10-s song is 441 KB
        if (fs is null) { output.WriteLine("skipped: this user may not mount a tmpfs (needs root)"); return; }
        int port = Web.ServerFixture.FreePort();
        using var server = CliProcess.Start(new Dictionary<string, string> { ["TMPDIR"] = fs.Path }, "serve", "--model", fixture.ModelDir, "--port", port.ToString());
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("listening on", line);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            using var response = await http.PostAsync($"http://127.0.0.1:{port}/api/predict", Web.ServerFixture.Upload(File.ReadAllBytes(Song), "song.wav"));
            Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
            Assert.Contains("no room to store the upload", await response.Content.ReadAsStringAsync());
            Assert.Empty(Directory.EnumerateFileSystemEntries(fs.Path, "genre-*")); // no upload left behind (the runtime keeps its own pipes there)
        }
        finally { server.Kill(entireProcessTree: true); }
    }
}
