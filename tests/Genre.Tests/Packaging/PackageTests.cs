using Genre.Tests.Cli;
using Genre.Tests.Explanation;
using Xunit.Abstractions;

namespace Genre.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: the library package and the `genre` tool package are built from this checkout,
/// the tool is installed from them into a temporary path and run (--version, then a prediction with a model trained
/// here), and the sample app is built against the library package and run. Each run packs a version of its own
/// (0.1.0-test.N), so no package cached by an earlier run can stand in for this one.
/// </summary>
[Collection(TrainedTinyModelCollection.Name)]
public class PackageTests(TrainedTinyModel fixture, ITestOutputHelper output)
{
    static readonly string Root = ChildProcess.RepoRoot;

    static readonly Dictionary<string, string> Quiet = new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

    static ProcessResult Exec(string file, string[] args, int minutes = 6) =>
        ChildProcess.Run(file, args, TimeSpan.FromMinutes(minutes), Quiet, Root);

    static void Ok(ProcessResult r, string what) => Assert.True(r.ExitCode == 0, $"{what} failed ({r.ExitCode}):\n{r.Out}\n{r.Err}");

    [Fact]
    public void The_tool_installs_from_its_package_and_the_sample_builds_against_the_library_package()
    {
        using var dir = new TempDir();
        string artifacts = dir.File("artifacts"), version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        Ok(Exec("dotnet", ["pack", "src/Genre", "-c", "Release", "-o", artifacts, $"-p:Version={version}"]), "pack the library");
        Ok(Exec("dotnet", ["pack", "src/Genre.Cli", "-c", "Release", "-o", artifacts, $"-p:Version={version}", "-p:RuntimeIdentifiers=linux-x64"], minutes: 10), "pack the tool");
        foreach (var package in Directory.EnumerateFiles(artifacts, "*.nupkg").Order())
            output.WriteLine($"{Path.GetFileName(package)}: {new FileInfo(package).Length / 1e6:F1} MB");
        Assert.True(File.Exists(Path.Combine(artifacts, $"Genre.{version}.nupkg")));
        var tool = new FileInfo(Path.Combine(artifacts, $"Genre.Tool.linux-x64.{version}.nupkg"));
        Assert.True(tool.Exists);
        Assert.True(tool.Length < 250_000_000, $"the linux-x64 tool package is {tool.Length / 1e6:F0} MB, over NuGet.org's 250 MB");

        string tools = dir.File("tools");
        Ok(Exec("dotnet", ["tool", "install", "Genre.Tool", "--tool-path", tools, "--add-source", artifacts, "--version", version]), "install the tool");
        string genre = Path.Combine(tools, "genre");
        var v = Exec(genre, ["--version"]);
        Ok(v, "genre --version");
        Assert.Contains($"genre {version.Split('-')[0]}", v.Out);
        Assert.Contains("TorchSharp 0.107.0, libtorch", v.Out);
        Assert.Contains("precision: ", v.Out);
        string song = fixture.Data.Dataset.Songs.First(s => s.Genre == "jazz").Path;
        var p = Exec(genre, ["predict", "--model", fixture.ModelDir, song]);
        Ok(p, "the installed genre predict");
        Assert.Contains(": jazz ", p.Out);
        Assert.Contains("genre predict", Exec(genre, ["predict", "--help"]).Out); // the usage line names the command genre

        string sample = dir.File("sample");
        Ok(Exec("dotnet", ["build", "samples/GenreSample", "-c", "Release", "-o", sample, $"-p:GenrePackageVersion={version}", $"-p:RestoreAdditionalProjectSources={artifacts}"]),
            "build the sample against the package");
        var s = Exec("dotnet", [Path.Combine(sample, "GenreSample.dll"), fixture.ModelDir, song]);
        Ok(s, "the sample");
        Assert.Contains("3 genres (ambient, classical, jazz)", s.Out);
        Assert.Contains(": jazz ", s.Out);
        var bad = Exec("dotnet", [Path.Combine(sample, "GenreSample.dll"), dir.Path, song]);
        Assert.Equal(3, bad.ExitCode);
        Assert.Single(bad.Err.Trim().Split('\n'));
    }
}
