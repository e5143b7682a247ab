using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Genre.Tests.Cli;

namespace Genre.Tests.Robustness;

/// <summary>
/// SIGTERM sent to a real `genre` child in the middle of prepare, train and predict: it stops within a few
/// seconds with status 130, keeps what was complete, and a re-run (or --resume) continues from there.
/// GENRE_TEST_STEP_DELAY_MS slows each chunk and batch so that the tiny data set takes long enough to interrupt.
/// </summary>
[Collection("interruptions")]
public class InterruptionTests(TinyModel model) : IClassFixture<TinyModel>
{
    static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(10);

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
    const int SIGTERM = 15;

    /// <summary>A running child whose output lines are collected as they come.</summary>
    sealed class Child : IDisposable
    {
        readonly Process _process;
        public ConcurrentQueue<string> Out { get; } = new();
        public ConcurrentQueue<string> Err { get; } = new();

        public Child(int delayMs, params string[] args)
        {
            _process = CliProcess.Start(new Dictionary<string, string> { ["GENRE_TEST_STEP_DELAY_MS"] = delayMs.ToString() }, args);
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Out.Enqueue(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Err.Enqueue(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public void WaitFor(Func<Child, bool> ready, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!ready(this))
            {
                if (_process.HasExited) Assert.Fail($"exited ({_process.ExitCode}) before {what}: {string.Join("\n", Err)}");
                if (clock.Elapsed > TimeSpan.FromSeconds(90)) Assert.Fail($"timed out waiting for {what}: {string.Join("\n", Err)}");
                Thread.Sleep(50);
            }
        }

        /// <summary>Sends SIGTERM and returns the exit status once the child has stopped (it must, within <see cref="StopWithin"/>).</summary>
        public int Terminate()
        {
            Assert.Equal(0, kill(_process.Id, SIGTERM));
            bool stopped = _process.WaitForExit(StopWithin);
            if (!stopped) _process.Kill(entireProcessTree: true);
            Assert.True(stopped, $"still running {StopWithin.TotalSeconds} s after SIGTERM");
            _process.WaitForExit(); // drains the output events
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }

    [Fact]
    public void Prepare_keeps_the_finished_songs_and_a_rerun_computes_only_the_rest()
    {
        using var dir = new TempDir();
        string cache = dir.File("cache");
        int done;
        using (var child = new Child(150, "prepare", "--data", model.Data.DataDir, "--out", cache))
        {
            child.WaitFor(c => Directory.Exists(Path.Combine(cache, "features")) && Directory.GetFiles(Path.Combine(cache, "features"), "*.npy", SearchOption.AllDirectories).Length >= 2, "two songs done");
            Assert.Equal(130, child.Terminate());
            Assert.Contains(child.Err, l => l.Contains("stopping"));
            using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(cache, "index.json")));
            done = index.RootElement.GetProperty("songs").GetArrayLength();
        }
        Assert.InRange(done, 2, 23);
        Assert.Empty(Directory.EnumerateFiles(cache, "*.tmp*", SearchOption.AllDirectories));
        var rerun = CliProcess.Run("prepare", "--data", model.Data.DataDir, "--out", cache);
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains($"({24 - done} computed, {done} unchanged)", rerun.Err);
    }

    [Fact]
    public void Train_stops_at_a_batch_keeps_its_checkpoint_and_resumes()
    {
        using var dir = new TempDir();
        string cache = dir.File("cache"), run = dir.File("model");
        Assert.Equal(0, CliProcess.Run("prepare", "--data", model.Data.DataDir, "--out", cache).ExitCode);
        string[] train = ["train", "--cache", cache, "--out", run, "--arch", "compact", "--epochs", "3", "--batch-size", "8", "--lr", "1e-3", "--precision", "fp32"];
        using (var child = new Child(250, train))
        {
            child.WaitFor(c => c.Err.Any(l => l.Contains("epoch   1/3")), "the first epoch");
            Assert.Equal(130, child.Terminate());
            Assert.Contains(child.Err, l => l.Contains("--resume"));
        }
        using (var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "checkpoint", "state.json"))))
        using (var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "history.json"))))
        {
            int epochs = state.RootElement.GetProperty("epochs_done").GetInt32();
            Assert.InRange(epochs, 1, 2);
            Assert.Equal(epochs, history.RootElement.GetProperty("loss").GetArrayLength());
        }
        Assert.Empty(Directory.EnumerateFiles(run, "*.tmp*", SearchOption.AllDirectories));
        var resumed = CliProcess.Run("train", "--cache", cache, "--resume", run, "--precision", "fp32");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains("epoch   3/3", resumed.Err);
        Assert.DoesNotContain("epoch   1/3", resumed.Err);
    }

    [Fact]
    public void Predict_stops_between_songs_and_every_printed_line_is_whole()
    {
        using var child = new Child(150, "predict", "--model", model.ModelDir, "--format", "json", model.Data.DataDir);
        child.WaitFor(c => c.Out.Count >= 1, "the first prediction");
        Assert.Equal(130, child.Terminate());
        var lines = child.Out.ToList();
        Assert.InRange(lines.Count, 1, 23);
        foreach (var line in lines)
            Assert.Contains(JsonDocument.Parse(line).RootElement.GetProperty("genre").GetString(), model.Data.Dataset.Genres);
    }
}

[CollectionDefinition("interruptions", DisableParallelization = true)]
public sealed class InterruptionCollection;
