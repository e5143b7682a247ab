using System.Diagnostics;

namespace Genre.Tests.Cli;

/// <summary>Runs the real `genre` program (Genre.Cli.dll beside the tests) as a child process.</summary>
static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Genre.Cli.dll");

    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ChildProcess.Start("dotnet", [Dll, .. args], new Dictionary<string, string>(environment) { ["COLUMNS"] = "200" });

    public static ProcessResult Run(params string[] args) => Run(TimeSpan.FromMinutes(3), args);

    public static ProcessResult Run(TimeSpan timeout, params string[] args)
    {
        using var p = Start(args);
        return ChildProcess.Wait(p, timeout);
    }
}
