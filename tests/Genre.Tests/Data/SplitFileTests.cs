using Genre.Data;
using Genre.Evaluation;
using Genre.Model;
using Genre.Training;

namespace Genre.Tests.Data;

public class GtzanFilteredTests
{
    static readonly string[] GtzanGenres = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"];

    /// <summary>GTZAN's 1000 clips as the archive lays them out: genres/&lt;genre&gt;/&lt;genre&gt;.000NN.au.</summary>
    static List<string> GtzanKeys() =>
        GtzanGenres.SelectMany(g => Enumerable.Range(0, 100).Select(i => $"{g}/{g}.{i:D5}.au")).ToList();

    [Fact]
    public void Has_443_train_197_validation_and_290_test_clips_and_no_id_on_two_sides()
    {
        var split = SplitFile.GtzanFiltered();
        Assert.Equal(443, split.Count(SplitPart.Train));
        Assert.Equal(197, split.Count(SplitPart.Validation));
        Assert.Equal(290, split.Count(SplitPart.Test));
        Assert.Equal(930, split.Entries.Select(e => e.File).Distinct().Count()); // each id on exactly one side
        Assert.All(split.Entries, e => Assert.Matches(@"^(blues|classical|country|disco|hiphop|jazz|metal|pop|reggae|rock)\.000\d\d$", e.File));
    }

    [Fact]
    public void On_the_whole_data_set_it_uses_930_clips_and_lists_the_other_70_as_unused()
    {
        var a = SplitFile.GtzanFiltered().Assign(GtzanKeys());
        Assert.Equal(930, a.Parts.Count);
        Assert.Equal(70, a.Unused.Count);
        Assert.Empty(a.Missing);
        Assert.Equal(443, a.Parts.Values.Count(p => p == SplitPart.Train));
        Assert.Equal(290, a.Parts.Values.Count(p => p == SplitPart.Test));
    }

    [Fact]
    public void Clips_missing_from_disk_are_reported()
    {
        var keys = GtzanKeys();
        keys.Remove("blues/blues.00012.au"); // a test clip
        keys.Remove("jazz/jazz.00054.au");   // GTZAN's corrupt file, which prepare skips
        var a = SplitFile.GtzanFiltered().Assign(keys);
        Assert.Equal(["blues.00012", "jazz.00054"], a.Missing.Order(StringComparer.Ordinal));
        Assert.Equal(928, a.Parts.Count);
    }
}

public class SplitFileTests(TinyData data) : IClassFixture<TinyData>
{
    static SplitFile Parse(string text) => SplitFile.Parse(new StringReader(text), "s.csv");

    /// <summary>A split file for TinyData's 3 genres x 8 clips: clips 0-3 train, 4-5 val, 6-7 test, by the documented name forms.</summary>
    string SplitCsv(Func<int, bool>? keep = null)
    {
        var lines = new List<string> { "# a comment", "file,split" };
        foreach (var song in data.Dataset.Songs)
        {
            int n = int.Parse(song.Id.Split('.')[1]);
            if (keep is not null && !keep(n)) continue;
            string side = n < 4 ? "train" : n < 6 ? "val" : "test";
            string name = (n % 3) switch { 0 => song.Id, 1 => song.Key, _ => Path.GetFileName(song.Key) }; // id, path, file name
            lines.Add($"{name},{side}");
        }
        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public void Puts_each_song_on_the_side_its_file_names_and_no_song_on_two_sides()
    {
        var split = SongSplit.Fixed(data.Set, Parse(SplitCsv()), SplitKind.File);
        int Songs(int[] chunks) => chunks.Select(c => data.Set.ChunkSong[c]).Distinct().Count();
        Assert.Equal((12, 6, 6), (Songs(split.TrainChunks), Songs(split.ValidationChunks), Songs(split.TestChunks)));
        var sides = new[] { split.TrainChunks, split.ValidationChunks, split.TestChunks }
            .Select(cs => cs.Select(c => data.Set.ChunkSong[c]).ToHashSet()).ToList();
        Assert.Empty(sides[0].Intersect(sides[1]));
        Assert.Empty(sides[0].Intersect(sides[2]));
        Assert.Empty(sides[1].Intersect(sides[2]));
        Assert.Equal(data.Set.ChunkCount, split.TrainChunks.Length + split.ValidationChunks.Length + split.TestChunks.Length);
        Assert.Empty(split.Missing);
        Assert.Empty(split.Unused);
    }

    [Fact]
    public void Files_named_but_not_on_disk_and_on_disk_but_not_named_are_reported()
    {
        string csv = SplitCsv(keep: n => n != 7) + "ghost.00001,train\nrock/ghost.00002.wav,test\n";
        var split = SongSplit.Fixed(data.Set, Parse(csv), SplitKind.File);
        Assert.Equal(["ghost.00001", "rock/ghost.00002.wav"], split.Missing);
        Assert.Equal(3, split.Unused.Count); // clip 7 of each genre
        Assert.All(split.Unused, key => Assert.EndsWith(".00007.wav", key));
        int used = split.TrainChunks.Length + split.ValidationChunks.Length + split.TestChunks.Length;
        Assert.Equal(data.Set.ChunkCount - 3 * data.Set.Songs[0].ChunkCount, used); // unused songs are not mixed in
    }

    [Theory]
    [InlineData("name,side\na,train\n", "the header must be 'file,split'")]
    [InlineData("file,split\na,training\n", "line 2: split 'training' must be train, val or test")]
    [InlineData("file,split\na,train\na,test\n", "line 3: a is already listed on line 2")]
    [InlineData("file,split\n", "no files listed")]
    [InlineData("file,split\na,b,c\n", "line 2: expected 'file,split'")]
    public void Malformed_split_files_are_refused_with_the_line(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<GenreException>(() => Parse(text)).Message);

    [Fact]
    public void A_song_named_twice_in_different_forms_is_refused()
    {
        var song = data.Dataset.Songs[0];
        var e = Assert.Throws<GenreException>(() => SongSplit.Fixed(data.Set, Parse($"file,split\n{song.Id},train\n{song.Key},test\n"), SplitKind.File));
        Assert.Contains("named twice", e.Message);
    }

    [Fact]
    public void A_split_of_another_data_set_is_refused()
    {
        var e = Assert.Throws<GenreException>(() => SongSplit.Fixed(data.Set, Parse("file,split\nblues.00001,train\nrock.00002,test\n"), SplitKind.File));
        Assert.Contains("none of its 2 files is in the data", e.Message);
    }

    [Fact]
    public void Training_records_the_test_side_and_evaluation_reports_it_as_the_only_test_figure()
    {
        using var dir = new TempDir();
        string csvPath = dir.File("split.csv");
        File.WriteAllText(csvPath, SplitCsv(keep: n => n != 7));
        string model = dir.File("model");
        Trainer.Train(data.Set, new TrainingOptions
        {
            Architecture = "compact", Epochs = 1, BatchSize = 16, LearningRate = 1e-3, Split = SplitKind.File, SplitFile = csvPath,
        }, model);
        var record = SplitRecord.Load(Path.Combine(model, ModelStore.SplitFile));
        Assert.Equal("file", record.Kind);
        Assert.Equal((12, 6, 3, 3), (record.Train.Count, record.Validation.Count, record.Test!.Count, record.Unused!.Count));

        using var trained = ModelStore.Load(model);
        var result = Evaluator.Evaluate(trained, data.Set, record);
        Assert.Equal(["train", "validation", "test", "unused"], result.Parts.Select(p => p.Name));
        Assert.Equal("test", result.MatrixPart);
        Assert.Equal("file", result.Split);
        Assert.Equal(3, result.ConfusionMatrix.Sum(row => row.Sum()) / data.Set.Songs[0].ChunkCount); // test chunks only
        Assert.Equal(3, result.Confidence![0].Songs);
    }
}
