using Genre.Data;

namespace Genre.Tests.Data;

public class SplitTests(TinyData data) : IClassFixture<TinyData>
{
    static HashSet<int> SongsOf(FeatureSet set, IEnumerable<int> chunks) => chunks.Select(c => set.ChunkSong[c]).ToHashSet();

    [Fact]
    public void Song_split_puts_no_song_on_both_sides_and_holds_out_every_genre()
    {
        var split = SongSplit.Split(data.Set, SplitKind.Songs, 0.25, seed: 42);
        var train = SongsOf(data.Set, split.TrainChunks);
        var val = SongsOf(data.Set, split.ValidationChunks);
        Assert.Empty(train.Intersect(val));
        Assert.Equal(data.Set.ChunkCount, split.TrainChunks.Length + split.ValidationChunks.Length);
        Assert.Equal(3, val.Select(s => data.Set.Songs[s].Label).Distinct().Count()); // stratified
        Assert.Equal(6, val.Count); // 2 of 8 songs per genre
    }

    [Fact]
    public void Split_is_deterministic_for_a_seed_and_differs_across_seeds()
    {
        var a = SongSplit.Split(data.Set, SplitKind.Songs, 0.34, 1);
        var b = SongSplit.Split(data.Set, SplitKind.Songs, 0.34, 1);
        Assert.Equal(a.ValidationChunks, b.ValidationChunks);
        var others = Enumerable.Range(2, 5).Select(s => SongSplit.Split(data.Set, SplitKind.Songs, 0.34, s).ValidationChunks);
        Assert.Contains(others, o => !o.SequenceEqual(a.ValidationChunks));
    }

    [Fact]
    public void Chunk_split_is_the_leaky_one()
    {
        var split = SongSplit.Split(data.Set, SplitKind.Chunks, 0.3, 42);
        Assert.NotEmpty(SongsOf(data.Set, split.TrainChunks).Intersect(SongsOf(data.Set, split.ValidationChunks)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void Validation_fraction_outside_zero_one_is_refused(double fraction) =>
        Assert.Throws<GenreException>(() => SongSplit.Split(data.Set, SplitKind.Songs, fraction, 1));
}

public class DatasetScannerTests
{
    static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1]);
    }

    [Theory]
    [InlineData("")]                          // DIR/<genre>
    [InlineData("genres/")]                   // GTZAN archive
    [InlineData("Data/genres_original/")]     // Kaggle
    public void Finds_genre_folders_in_the_common_layouts(string prefix)
    {
        using var dir = new TempDir();
        Touch(dir.File(prefix + "blues/blues.00000.au"));
        Touch(dir.File(prefix + "rock/rock.00000.wav"));
        Touch(dir.File(prefix + "rock/album/rock.00001.mp3"));
        Touch(dir.File("Data/images_original/rock/x.png"));
        var ds = DatasetScanner.Scan(dir.Path);
        Assert.Equal(new[] { "blues", "rock" }, ds.Genres);
        Assert.Equal(3, ds.Songs.Count);
        Assert.Contains(ds.Songs, s => s.Key == "rock/album/rock.00001.mp3");
    }

    [Fact]
    public void One_genre_or_no_audio_is_refused_with_a_reason()
    {
        using var dir = new TempDir();
        Touch(dir.File("rock/a.wav"));
        Assert.Contains("at least 2", Assert.Throws<GenreException>(() => DatasetScanner.Scan(dir.Path)).Message);
        using var empty = new TempDir();
        Touch(empty.File("docs/readme.txt"));
        Assert.Contains("no genre folders", Assert.Throws<GenreException>(() => DatasetScanner.Scan(empty.Path)).Message);
    }
}
