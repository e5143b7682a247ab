using System.Text.Json;

namespace Genre.Tests.Cli;

[CollectionDefinition(nameof(DemoTests), DisableParallelization = true)]
public class DemoCollection;

/// <summary>The README's first command, as a user runs it: the whole job on the built-in synthetic data.
/// Runs alone, so that its time is the demo's own.</summary>
[Collection(nameof(DemoTests))]
public class DemoTests
{
    [Fact]
    public void Demo_runs_end_to_end_and_reaches_90_percent_song_level_validation_accuracy()
    {
        using var dir = new TempDir();
        var r = CliProcess.Run(TimeSpan.FromMinutes(10), "demo", "--out", dir.Path);
        Assert.True(r.ExitCode == 0, r.Err);
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "model", "evaluation.json")));
        var validation = eval.RootElement.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "validation");
        Assert.True(validation.GetProperty("song_accuracy").GetDouble() >= 0.9, r.Err);
        Assert.Equal(24, validation.GetProperty("songs").GetInt32()); // 20 % of 120 songs, none of them trained on
        Assert.Contains("new-song-jazz.wav: jazz", r.Out);
        foreach (var f in new[] { "accuracy.png", "loss.png", "confusion_matrix.png", "model.safetensors", "history.json", "config.json" })
            Assert.True(File.Exists(Path.Combine(dir.Path, "model", f)), f);
    }
}
