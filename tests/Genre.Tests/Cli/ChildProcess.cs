using System.Diagnostics;

namespace Genre.Tests.Cli;

/// <summary>What a finished child process said: its exit code, standard output and standard error.</summary>
public sealed record ProcessResult(int ExitCode, string Out, string Err)
{
    /// <summary>The last line of standard output (a command's closing summary).</summary>
    public string LastLine => Out.TrimEnd().Split('\n')[^1];
}

/// <summary>Starts programs as child processes with their output captured, and waits for them with a bound.</summary>
static class ChildProcess
{
    /// <summary>The checkout's root (the tests run from tests/Genre.Tests/bin/CONFIG/TFM).</summary>
    public static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    /// <summary>Starts <paramref name="file"/> with its arguments passed as they are (no shell), colours off.</summary>
    public static Process Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    /// <summary>Reads both streams to the end and waits; a child that outlives <paramref name="timeout"/> is killed.</summary>
    public static ProcessResult Wait(Process p, TimeSpan timeout)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{p.StartInfo.FileName} {string.Join(' ', p.StartInfo.ArgumentList)} did not finish in {timeout}");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        using var p = Start(file, args, environment, workingDirectory);
        return Wait(p, timeout);
    }
}
