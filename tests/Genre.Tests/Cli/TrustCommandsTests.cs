using System.Text.Json;
using Genre.Tests.Explanation;

namespace Genre.Tests.Cli;

/// <summary>The command line of issue 8: split files, confidence per song, explain.</summary>
[Collection(TrainedTinyModelCollection.Name)]
public class TrustCommandsTests(TrainedTinyModel fixture)
{
    string Song(string genre) => fixture.Data.Dataset.Songs.First(s => s.Genre == genre).Path;

    [Fact]
    public void Explain_writes_the_picture_and_says_where_the_evidence_is()
    {
        using var dir = new TempDir();
        var r = CliProcess.Run("explain", "--model", fixture.ModelDir, Song("jazz"), "--out", dir.File("why.png"));
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Matches(@": \w+ \d+\.\d%, (confident|uncertain); most evidence at \d+\.\d-\d+\.\d s \(\d+% of the heat\) -> ", r.Out);
        Assert.True(new FileInfo(dir.File("why.png")).Length > 20_000);
        var other = CliProcess.Run("explain", "--model", fixture.ModelDir, Song("jazz"), "--out", dir.File("why2.png"), "--genre", "ambient");
        Assert.True(other.ExitCode == 0, other.Err);
        Assert.Contains(": ambient ", other.Out);
        var bad = CliProcess.Run("explain", "--model", fixture.ModelDir, Song("jazz"), "--out", dir.File("x.png"), "--genre", "polka");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--genre polka: the model knows ambient, classical, jazz", bad.Err);
    }

    [Fact]
    public void Predict_gives_spread_agreement_and_a_verdict_that_follows_min_confidence()
    {
        var json = CliProcess.Run("predict", "--model", fixture.ModelDir, "--format", "json", Song("classical"));
        Assert.True(json.ExitCode == 0, json.Err);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.InRange(root.GetProperty("agreement").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("spread").GetDouble(), 0, 0.5);
        double p = root.GetProperty("probability").GetDouble();
        var strict = JsonDocument.Parse(CliProcess.Run("predict", "--model", fixture.ModelDir, "--format", "json", "--min-confidence",
            (p + 0.001).ToString(System.Globalization.CultureInfo.InvariantCulture), Song("classical")).Out).RootElement;
        Assert.Equal("uncertain", strict.GetProperty("verdict").GetString());
        var csv = CliProcess.Run("predict", "--model", fixture.ModelDir, "--format", "csv", Song("classical"));
        Assert.StartsWith("file,genre,probability,vote_genre,chunks,seconds,spread,agreement,verdict,", csv.Out);
        var bad = CliProcess.Run("predict", "--model", fixture.ModelDir, "--min-confidence", "1.5", Song("classical"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--min-confidence 1.5 must be between 0 and 1", bad.Err);
    }

    [Fact]
    public void Train_with_a_split_file_reports_missing_and_unused_files_and_evaluate_names_the_split_and_its_test_figure()
    {
        using var dir = new TempDir();
        var lines = new List<string> { "file,split" };
        foreach (var s in fixture.Data.Dataset.Songs)
        {
            int n = int.Parse(s.Id.Split('.')[1]);
            if (n == 7) continue; // on disk, not in the split
            lines.Add($"{s.Id},{(n < 4 ? "train" : n < 6 ? "val" : "test")}");
        }
        lines.Add("jazz.00099,test"); // in the split, not on disk
        File.WriteAllLines(dir.File("split.csv"), lines);
        string model = dir.File("model");
        var train = CliProcess.Run("train", "--data", fixture.Data.DataDir, "--out", model, "--arch", "compact", "--epochs", "1", "--batch-size", "16",
            "--split-file", dir.File("split.csv"));
        Assert.True(train.ExitCode == 0, train.Err);
        Assert.Contains("12 train, 6 validation (chooses the epoch), 3 test songs (only evaluated)", train.Err);
        Assert.Contains("3 file(s) of the data are not in the split and stay unused: ambient/ambient.00007.wav", train.Err);
        Assert.Contains("1 file(s) named in the split are not in the data (missing or unreadable): jazz.00099", train.Err);

        var eval = CliProcess.Run("evaluate", "--model", model, "--data", fixture.Data.DataDir, "--json", dir.File("eval.json"));
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.StartsWith("split: file (", eval.Out);
        Assert.Contains("test (3 songs, 27 chunks)", eval.Out); // 10-s clips: 9 windows each
        Assert.Contains("unused (3 songs, 27 chunks)", eval.Out);
        Assert.Contains("confusion matrix (test chunks", eval.Out);
        Assert.Contains("what --min-confidence buys (test songs)", eval.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("eval.json")));
        Assert.Equal("file", doc.RootElement.GetProperty("split").GetString());
        Assert.Equal(8, doc.RootElement.GetProperty("confidence").GetArrayLength());

        var both = CliProcess.Run("train", "--data", fixture.Data.DataDir, "--out", dir.File("m2"), "--split", "songs", "--split-file", dir.File("split.csv"));
        Assert.Equal(2, both.ExitCode);
    }
}
