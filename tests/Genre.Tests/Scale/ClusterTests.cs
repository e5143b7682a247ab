using System.Diagnostics;
using System.Text.Json;
using Genre.Tests.Cli;
using Genre.Tests.Explanation;
using Xunit.Abstractions;

namespace Genre.Tests.Scale;

/// <summary>
/// scale/genre-cluster on a real Dask cluster on this machine (python3-distributed, installed by .ci/run): a scheduler and
/// two worker processes classify a generated library while one worker is killed; every song must come out exactly once,
/// as a single `genre predict --results` run has it; a second run schedules nothing, and after one file changes, only it.
/// </summary>
[Collection(TrainedTinyModelCollection.Name)]
public class ClusterTests(TrainedTinyModel fixture, ITestOutputHelper output)
{
    static string Driver => Path.Combine(ChildProcess.RepoRoot, "scale", "genre-cluster");
    static string Genre => $"dotnet {CliProcess.Dll}";

    static Process Start(string file, params string[] args) => ChildProcess.Start(file, args);

    static ProcessResult Wait(Process p) => ChildProcess.Wait(p, TimeSpan.FromMinutes(5));

    static ProcessResult Cluster(params string[] args) => Wait(Start(Driver, ["--genre", Genre, "--precision", "fp32", .. args]));

    /// <summary>Starts a process and waits for a line containing <paramref name="ready"/> on its standard error.</summary>
    static Process StartUntil(string ready, string file, params string[] args)
    {
        var p = Start(file, args);
        var seen = new TaskCompletionSource();
        p.ErrorDataReceived += (_, e) => { if (e.Data?.Contains(ready) == true) seen.TrySetResult(); };
        p.BeginErrorReadLine();
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        if (!seen.Task.Wait(TimeSpan.FromSeconds(60))) { p.Kill(true); throw new TimeoutException($"{file} did not say '{ready}'"); }
        return p;
    }

    static Dictionary<string, JsonElement> Lines(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).GroupBy(l => l.GetProperty("file").GetString()!)
            .ToDictionary(g => g.Key, g => g.Last());

    [Fact]
    public void Two_workers_one_killed_lose_and_duplicate_nothing_and_match_a_single_machine_run()
    {
        Assert.True(File.Exists("/usr/bin/dask-scheduler"), "Dask is not installed: apt-get install python3-distributed (as .ci/run does)");
        using var dir = new TempDir();
        string library = dir.File("library"), single = dir.File("single.jsonl"), merged = dir.File("merged.jsonl");
        Assert.Equal(0, CliProcess.Run("synth", "--out", library, "--genres", "6", "--clips", "40", "--seconds", "3", "--seed", "4").ExitCode);
        var reference = CliProcess.Run(TimeSpan.FromMinutes(5), "predict", "--model", fixture.ModelDir, library, "--results", single, "--precision", "fp32");
        Assert.True(reference.ExitCode == 0, reference.Err);

        int port = Web.ServerFixture.FreePort();
        string address = $"tcp://127.0.0.1:{port}";
        using var scheduler = StartUntil("Scheduler at", "/usr/bin/dask-scheduler", "--host", "127.0.0.1", "--port", port.ToString(), "--dashboard-address", ":0");
        var workers = Enumerable.Range(0, 2).Select(_ => StartUntil("Registered to", "/usr/bin/dask-worker", address, "--nthreads", "1", "--no-nanny",
            "--dashboard-address", ":0")).ToList();
        try
        {
            var driver = Start(Driver, "--genre", Genre, "--precision", "fp32", "--model", fixture.ModelDir, "--out", merged, "--scheduler", address,
                "--shard-size", "20", library);
            // kill a worker in the middle: once some shards have results and others are still to come
            string shards = merged + ".shards";
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromMinutes(3) && !driver.HasExited
                && (!Directory.Exists(shards) || Directory.EnumerateFiles(shards).Sum(f => File.ReadLines(f).Count()) < 40))
                Thread.Sleep(100);
            Assert.False(driver.HasExited, "the driver finished before a worker could be killed");
            workers[0].Kill(entireProcessTree: true);
            var run = Wait(driver);
            output.WriteLine(run.Err);
            Assert.True(run.ExitCode == 0, run.Err);
            Assert.Equal("240 scheduled, 240 done, 0 failed", run.LastLine);
            Assert.False(Directory.Exists(shards), "the shard files should be gone once merged");

            var expected = Lines(single);
            var lines = File.ReadAllLines(merged);
            Assert.Equal(240, lines.Length); // every song once: none lost, none duplicated
            var actual = Lines(merged);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (file, want) in expected)
            {
                var got = actual[file];
                Assert.Equal(want.GetProperty("genre").GetString(), got.GetProperty("genre").GetString());
                foreach (var p in want.GetProperty("probabilities").EnumerateObject())
                    Assert.InRange(got.GetProperty("probabilities").GetProperty(p.Name).GetDouble() - p.Value.GetDouble(), -1e-6, 1e-6);
            }

            var again = Cluster("--model", fixture.ModelDir, "--out", merged, "--scheduler", address, library);
            Assert.Equal("0 scheduled, 0 done, 0 failed", again.LastLine);
            string touched = Directory.EnumerateFiles(library, "*.wav", SearchOption.AllDirectories).Order().First();
            File.SetLastWriteTimeUtc(touched, DateTime.UtcNow);
            var one = Cluster("--model", fixture.ModelDir, "--out", merged, "--scheduler", address, library);
            Assert.Equal("1 scheduled, 1 done, 0 failed", one.LastLine);
            Assert.Equal(240, File.ReadAllLines(merged).Length);
            Assert.Equal(File.GetLastWriteTimeUtc(touched).ToString("O"), Lines(merged)[touched].GetProperty("mtime").GetString());
        }
        finally
        {
            foreach (var w in workers) if (!w.HasExited) w.Kill(entireProcessTree: true);
            scheduler.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_failed_shard_leaves_the_merged_file_alone_and_keeps_its_songs_for_the_next_run()
    {
        Assert.True(File.Exists("/usr/bin/dask-scheduler"), "Dask is not installed: apt-get install python3-distributed (as .ci/run does)");
        using var dir = new TempDir();
        string library = dir.File("library"), merged = dir.File("merged.jsonl");
        Directory.CreateDirectory(library);
        foreach (var song in fixture.Data.Dataset.Songs.Take(4)) File.Copy(song.Path, Path.Combine(library, Path.GetFileName(song.Path)));
        // a genre that classifies its shard and then fails, as a task whose worker dies after writing would
        string failing = $"sh -c '{Genre} \"$@\"; exit 5' genre";
        var broken = Wait(Start(Driver, "--genre", failing, "--precision", "fp32", "--model", fixture.ModelDir, "--out", merged,
            "--local-workers", "1", "--shard-size", "2", "--retries", "0", library));
        Assert.Equal(1, broken.ExitCode);
        Assert.Equal("4 scheduled, 4 done, 0 failed", broken.LastLine); // classified, but not merged
        Assert.Contains("genre predict exited 5", broken.Err);
        Assert.Contains("run the same command again", broken.Err);
        Assert.False(File.Exists(merged), "a merged file was written although shards failed");
        Assert.Equal(4, Directory.EnumerateFiles(merged + ".shards").Sum(f => File.ReadLines(f).Count()));

        var again = Cluster("--model", fixture.ModelDir, "--out", merged, "--local-workers", "1", library);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("0 scheduled, 0 done, 0 failed", again.LastLine);
        Assert.Equal(4, Lines(merged).Count);
        Assert.Equal(4, File.ReadAllLines(merged).Length);
    }

    [Fact]
    public void A_missing_model_an_empty_library_or_an_unreachable_scheduler_stops_in_one_line_and_writes_no_merged_file()
    {
        Assert.True(File.Exists("/usr/bin/dask-scheduler"), "Dask is not installed: apt-get install python3-distributed (as .ci/run does)");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("empty"));
        string song = fixture.Data.Dataset.Songs[0].Path, merged = dir.File("merged.jsonl");
        int closed = Web.ServerFixture.FreePort();
        var cases = new (string[] Args, string Expected)[]
        {
            (["--model", dir.File("no-model"), "--out", merged, "--local-workers", "1", song], "model folder not found"),
            (["--model", fixture.ModelDir, "--out", merged, "--local-workers", "1", dir.File("empty")], "no audio files found"),
            (["--model", fixture.ModelDir, "--out", merged, "--scheduler", $"tcp://127.0.0.1:{closed}", "--connect-timeout", "2", song], "cannot reach the Dask scheduler"),
        };
        foreach (var (args, expected) in cases)
        {
            var r = Cluster(args);
            Assert.NotEqual(0, r.ExitCode);
            var errors = r.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            Assert.Single(errors);
            Assert.Contains(expected, errors[0]);
            Assert.False(File.Exists(merged), $"a merged file was written after: {errors[0]}");
        }
    }
}
