using System.Text.Json;
using Genre.Features;

namespace Genre.Tests.Cli;

public class CommandLineTests(TinyData data) : IClassFixture<TinyData>
{
    [Theory]
    [InlineData("--epochs", "0", "--epochs 0")]
    [InlineData("--batch-size", "-1", "--batch-size -1")]
    [InlineData("--val-fraction", "1.0", "--val-fraction 1")]
    [InlineData("--bogus", "1", "--bogus")]
    public void Bad_training_options_are_refused_before_any_work(string option, string value, string expected)
    {
        using var dir = new TempDir();
        var r = CliProcess.Run("train", "--data", data.DataDir, "--out", dir.File("m"), option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.Contains("usage", r.Err);
        Assert.False(Directory.Exists(dir.File("m")));
        Assert.DoesNotContain("   at ", r.Err); // no stack trace
    }

    [Fact]
    public void Predict_without_a_model_says_how_to_get_one()
    {
        var r = CliProcess.Run("predict", "--model", "/nonexistent/model", data.Dataset.Songs[0].Path);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("./genre demo", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void A_data_folder_with_one_genre_is_refused()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("only/rock"));
        File.Copy(data.Dataset.Songs[0].Path, dir.File("only/rock/a.wav"));
        var r = CliProcess.Run("train", "--data", dir.File("only"), "--out", dir.File("m"), "--epochs", "1");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("at least 2", r.Err);
    }

    [Fact]
    public void Features_writes_npy_of_the_documented_shapes()
    {
        using var dir = new TempDir();
        string song = data.Dataset.Songs[0].Path; // 10 s: 9 windows of 2 s (default), 4 chunks of 4 s (tutorial)
        Assert.Equal(0, CliProcess.Run("features", song, "--out", dir.File("w.npy")).ExitCode);
        var (windows, windowShape) = Npy.Read(dir.File("w.npy"));
        Assert.Equal(new[] { 9, 128, 87 }, windowShape);
        Assert.Equal(0f, windows.Max()); // dB relative to each window's maximum
        Assert.True(windows.Min() >= -80f); // floored at -80 dB
        Assert.Equal(0, CliProcess.Run("features", song, "--recipe", "tutorial", "--out", dir.File("f.npy")).ExitCode);
        var (values, shape) = Npy.Read(dir.File("f.npy"));
        Assert.Equal(new[] { 4, 150, 150 }, shape);
        Assert.InRange(values.Max(), -3f, 0f); // dB relative to each chunk's maximum (resizing blurs the peak)
        Assert.InRange(values.Min(), -80f, -10f); // floored at -80 dB
        Assert.Equal(0, CliProcess.Run("features", song, "--recipe", "tutorial", "--out", dir.File("raw.npy"), "--raw", "--scale", "power").ExitCode);
        var (power, rawShape) = Npy.Read(dir.File("raw.npy"));
        Assert.Equal(new[] { 4, 128, 173 }, rawShape);
        Assert.True(power.Min() >= 0 && power.Max() > 1);
        Assert.Equal(0, CliProcess.Run("features", song, "--recipe", "tutorial", "--out", dir.File("rawdb.npy"), "--raw").ExitCode);
        Assert.Equal(0f, Npy.Read(dir.File("rawdb.npy")).Data.Max()); // exactly 0 dB at each chunk's peak
        var bad = CliProcess.Run("features", song, "--out", dir.File("x.npy"), "--scale", "power");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("the song layout needs dB features", bad.Err);
    }

    [Fact]
    public void Prepare_train_evaluate_predict_end_to_end()
    {
        using var dir = new TempDir();
        string cache = dir.File("cache"), model = dir.File("model");
        var prep = CliProcess.Run("prepare", "--data", data.DataDir, "--out", cache);
        Assert.True(prep.ExitCode == 0, prep.Err);
        Assert.Contains("24 songs", prep.Err);
        var again = CliProcess.Run("prepare", "--data", data.DataDir, "--out", cache);
        Assert.Contains("0 computed, 24 unchanged", again.Err);

        var train = CliProcess.Run("train", "--cache", cache, "--out", model, "--epochs", "2", "--batch-size", "8"); // the default recipe
        Assert.True(train.ExitCode == 0, train.Err);
        Assert.Contains("epoch   2/2: loss", train.Err);

        var eval = CliProcess.Run("evaluate", "--model", model, "--cache", cache, "--json", dir.File("eval.json"));
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Contains("validation (", eval.Out);
        Assert.Contains("song-level accuracy", eval.Out);
        Assert.True(File.Exists(Path.Combine(model, "confusion_matrix.png")));
        using (var doc = JsonDocument.Parse(File.ReadAllText(dir.File("eval.json"))))
            Assert.Equal(3, doc.RootElement.GetProperty("per_genre").GetArrayLength());

        // a folder with good songs, a text file named .wav and a silent clip
        string folder = dir.File("music");
        Directory.CreateDirectory(folder);
        File.Copy(data.Dataset.Songs[0].Path, Path.Combine(folder, "good one.wav"));
        File.WriteAllText(Path.Combine(folder, "notes.wav"), "not audio");
        using (var s = File.Create(Path.Combine(folder, "silence.wav"))) Genre.Audio.WavDecoder.Write(s, new float[22050 * 3], 1, 22050);
        using (var s = File.Create(Path.Combine(folder, "short.wav"))) Genre.Audio.WavDecoder.Write(s, Signals.Sine(440, 0.5, 22050), 1, 22050);
        var json = CliProcess.Run("predict", "--model", model, "--format", "json", folder);
        Assert.Equal(1, json.ExitCode); // some files failed
        var lines = json.Out.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        var good = lines.Single(l => l.GetProperty("file").GetString()!.EndsWith("good one.wav"));
        Assert.Contains(good.GetProperty("genre").GetString(), data.Dataset.Genres);
        Assert.Equal(3, good.GetProperty("probabilities").EnumerateObject().Count());
        Assert.Contains("not a WAV file", lines.Single(l => l.GetProperty("file").GetString()!.EndsWith("notes.wav")).GetProperty("error").GetString());
        Assert.Contains("silent", lines.Single(l => l.GetProperty("file").GetString()!.EndsWith("silence.wav")).GetProperty("error").GetString());
        Assert.Contains("too short", lines.Single(l => l.GetProperty("file").GetString()!.EndsWith("short.wav")).GetProperty("error").GetString());

        var csv = CliProcess.Run("predict", "--model", model, "--format", "csv", Path.Combine(folder, "good one.wav"));
        Assert.Equal(0, csv.ExitCode);
        Assert.StartsWith("file,genre,probability", csv.Out);
        var table = CliProcess.Run("predict", "--model", model, "--timeline", Path.Combine(folder, "good one.wav"));
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("0.0-   2.0 s", table.Out); // 2-s windows
        Assert.Contains("1.0-   3.0 s", table.Out);

        var summary = CliProcess.Run("summary", "--model", model);
        Assert.Contains($"Total params: {Genre.Model.Architecture.Create("resnet", 3, 128, 87).TotalParameters:N0}", summary.Out); // resnet with 3 genres
    }
}
