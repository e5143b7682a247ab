using System.Text.Json;

namespace Genre.Tests.Cli;

public class CvCommandTests(TinyData data) : IClassFixture<TinyData>
{
    [Theory]
    [InlineData("cv", "--folds", "1", "--folds 1 must be 2..100")]
    [InlineData("cv", "--mixup", "0", "--mixup 0: must be above 0")]
    [InlineData("cv", "--mixup", "-0.2", "--mixup -0.2: must be above 0")]
    [InlineData("train", "--time-mask-width", "-3", "--time-mask-width -3 must be 0 or more")]
    [InlineData("train", "--freq-masks", "-1", "--freq-masks -1 must be 0..16")]
    [InlineData("train", "--weight-decay", "2", "--weight-decay 2 must be in [0, 1)")]
    [InlineData("train", "--label-smoothing", "-0.1", "--label-smoothing -0.1 must be in [0, 1)")]
    [InlineData("train", "--tilt", "-6", "--tilt -6 must be 0..60 dB")]
    [InlineData("train", "--schedule", "linear", "--schedule")]
    [InlineData("train", "--recipe", "magic", "--recipe")]
    [InlineData("train", "--freeze", "true", "--freeze needs --init-from")]
    public void Bad_recipe_values_get_one_line_naming_the_option_and_exit_2(string command, string option, string value, string expected)
    {
        using var dir = new TempDir();
        var r = CliProcess.Run(command, "--data", data.DataDir, "--out", dir.File("out"), option, value);
        Assert.Equal(2, r.ExitCode);
        var errors = r.Err.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains(expected, errors[0]);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Too_few_songs_in_a_genre_for_the_folds_is_refused_by_name()
    {
        using var dir = new TempDir();
        var r = CliProcess.Run("cv", "--data", data.DataDir, "--out", dir.File("cv"), "--folds", "9");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("genre 'ambient' has 8 song(s); 9 folds need at least 9 in every genre", r.Err);
    }

    [Fact]
    public void Cv_prints_each_fold_and_the_mean_and_writes_json_and_plot()
    {
        using var dir = new TempDir();
        var r = CliProcess.Run(TimeSpan.FromMinutes(5), "cv", "--data", data.DataDir, "--out", dir.File("cv"), "--folds", "2", "--epochs", "1",
            "--json", dir.File("cv.json"));
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("fold 1/2: song-level", r.Err);
        Assert.Contains("fold 2/2: song-level", r.Err);
        Assert.Contains("mean ± sd", r.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("cv.json")));
        Assert.Equal(2, doc.RootElement.GetProperty("results").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("song_accuracy").TryGetProperty("sd", out _));
        Assert.True(File.Exists(dir.File("cv/cv.png")));
        var again = CliProcess.Run("cv", "--data", data.DataDir, "--out", dir.File("cv"), "--folds", "2", "--epochs", "1");
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.DoesNotContain("epoch   1/1", again.Err); // both folds were kept, none trained again
    }

    [Fact]
    public void The_tutorial_recipe_refuses_a_cache_made_for_the_default_one()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliProcess.Run("prepare", "--data", data.DataDir, "--out", dir.File("cache")).ExitCode);
        var r = CliProcess.Run("train", "--cache", dir.File("cache"), "--out", dir.File("m"), "--recipe", "tutorial");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("./genre prepare --recipe tutorial", r.Err);
    }
}
