using System.Text.Json;
using Genre.Library;
using Genre.Prediction;

namespace Genre.Tests.Library;

public class ResultsLogTests
{
    static readonly string[] Genres = ["jazz", "rock, loud"];

    static SongPrediction Prediction(string file) =>
        new(file, "jazz", 0.75, new Dictionary<string, double> { ["jazz"] = 0.75, ["rock, loud"] = 0.25 }, "jazz", 3, 8.0, []);

    static string Song(TempDir dir, string name)
    {
        string path = dir.File(name);
        File.WriteAllText(path, name);
        return path;
    }

    [Theory]
    [InlineData("results.jsonl")]
    [InlineData("results.csv")]
    public void A_rerun_skips_songs_already_there_for_the_same_model_unless_they_changed_or_failed(string name)
    {
        using var dir = new TempDir();
        string a = Song(dir, "a.wav"), b = Song(dir, "b, \"odd\".wav"), bad = Song(dir, "bad.wav");
        string results = dir.File(name);
        using (var log = ResultsLog.Open(results, "model1", Genres, force: false))
        {
            log.Song(Prediction(a), FileStamp.Of(a));
            log.Song(Prediction(b), FileStamp.Of(b));
            log.Failure(bad, "bad.wav: not audio", FileStamp.Of(bad));
        }
        File.AppendAllText(results, name.EndsWith(".csv") ? "c.wav,jazz,0.5" : "{\"file\":\"c.wav\",\"gen"); // a line cut by a crash

        using (var log = ResultsLog.Open(results, "model1", Genres, force: false))
        {
            Assert.True(log.IsDone(a, FileStamp.Of(a)));
            Assert.True(log.IsDone(b, FileStamp.Of(b)));
            Assert.False(log.IsDone(bad, FileStamp.Of(bad))); // failures are retried
            Assert.False(log.IsDone(a, FileStamp.Of(a) with { Size = 99 })); // changed
            Assert.False(log.IsDone(a, FileStamp.Of(a) with { ModifiedUtc = DateTime.UnixEpoch }));
            Assert.Equal(2, log.Reusable);
            log.Song(Prediction(bad), FileStamp.Of(bad));
        }
        using (var other = ResultsLog.Open(results, "model2", Genres, force: false))
            Assert.False(other.IsDone(a, FileStamp.Of(a))); // another model
        using (var again = ResultsLog.Open(results, "model1", Genres, force: false))
            Assert.True(again.IsDone(bad, FileStamp.Of(bad))); // the later line wins

        var lines = File.ReadAllLines(results);
        Assert.Equal(name.EndsWith(".csv") ? 5 : 4, lines.Length); // the cut line is gone; CSV has a header
        if (name.EndsWith(".json") || name.EndsWith(".jsonl"))
        {
            using var doc = JsonDocument.Parse(lines[0]);
            var root = doc.RootElement;
            Assert.Equal("jazz", root.GetProperty("genre").GetString());
            Assert.Equal(0.25, root.GetProperty("probabilities").GetProperty("rock, loud").GetDouble());
            Assert.Equal("model1", root.GetProperty("model").GetString());
            Assert.Equal(new FileInfo(a).Length, root.GetProperty("size").GetInt64());
            Assert.Equal(File.GetLastWriteTimeUtc(a), DateTime.Parse(root.GetProperty("mtime").GetString()!, null, System.Globalization.DateTimeStyles.RoundtripKind));
        }
        else Assert.Equal("file,genre,probability,vote_genre,chunks,seconds,jazz,\"rock, loud\",error,model,size,mtime", lines[0]);

        using (var fresh = ResultsLog.Open(results, "model1", Genres, force: true))
            Assert.False(fresh.IsDone(a, FileStamp.Of(a)));
        Assert.Equal(name.EndsWith(".csv") ? 1 : 0, File.ReadAllLines(results).Length);
    }

    [Fact]
    public void A_csv_file_with_other_columns_is_refused()
    {
        using var dir = new TempDir();
        string results = dir.File("r.csv");
        File.WriteAllText(results, "file,genre,probability\n");
        var e = Assert.Throws<GenreException>(() => ResultsLog.Open(results, "m", Genres, force: false));
        Assert.Contains("--force", e.Message);
        using (ResultsLog.Open(results, "m", Genres, force: true)) { }
    }

    [Fact]
    public void Model_fingerprint_follows_weights_and_settings_not_the_folder()
    {
        using var dir = new TempDir();
        string m1 = dir.File("m1"), m2 = dir.File("m2");
        foreach (var m in new[] { m1, m2 })
        {
            Directory.CreateDirectory(m);
            File.WriteAllBytes(Path.Combine(m, "model.safetensors"), [1, 2, 3]);
            File.WriteAllText(Path.Combine(m, "config.json"), "{\"seed\": 1}");
        }
        Assert.Equal(ModelFingerprint.Of(m1), ModelFingerprint.Of(m2));
        Assert.Equal(16, ModelFingerprint.Of(m1).Length);
        File.WriteAllText(Path.Combine(m2, "config.json"), "{\"seed\": 2}");
        Assert.NotEqual(ModelFingerprint.Of(m1), ModelFingerprint.Of(m2));
        File.WriteAllText(Path.Combine(m2, "config.json"), "{\"seed\": 1}");
        File.WriteAllBytes(Path.Combine(m2, "model.safetensors"), [1, 2, 4]);
        Assert.NotEqual(ModelFingerprint.Of(m1), ModelFingerprint.Of(m2));
        Assert.Throws<GenreException>(() => ModelFingerprint.Of(dir.File("none")));
    }
}
