using Genre.Data;
using Genre.Features;

namespace Genre.Tests.Data;

public class SongFoldsTests
{
    /// <summary>A set of songs (one chunk image each) with the given count per genre.</summary>
    static FeatureSet Set(params int[] perGenre)
    {
        var set = new FeatureSet(FeatureSettings.Tutorial, perGenre.Select((_, g) => $"g{g}").ToList());
        for (int g = 0; g < perGenre.Length; g++)
            for (int s = 0; s < perGenre[g]; s++) set.AddSong($"g{g}/song{s:D2}.wav", g, [new float[1]]);
        return set;
    }

    [Fact]
    public void Every_song_validates_once_and_each_fold_has_every_genre()
    {
        var set = Set(10, 10, 11, 7);
        var fold = SongFolds.Assign(set, 5, seed: 1);
        for (int f = 0; f < 5; f++)
            for (int g = 0; g < 4; g++)
            {
                int n = Enumerable.Range(0, fold.Length).Count(s => fold[s] == f && set.Songs[s].Label == g);
                int total = set.Songs.Count(s => s.Label == g);
                Assert.InRange(n, total / 5, (total + 4) / 5); // stratified: as even as the counts allow
            }
        Assert.Equal(fold, SongFolds.Assign(set, 5, seed: 1));
        Assert.NotEqual(fold, SongFolds.Assign(set, 5, seed: 2));
    }

    [Fact]
    public void A_genre_with_fewer_songs_than_folds_is_refused_by_name()
    {
        var e = Assert.Throws<GenreException>(() => SongFolds.Assign(Set(10, 3), 5, seed: 1));
        Assert.Contains("'g1' has 3 song(s)", e.Message);
    }

    [Fact]
    public void A_group_stays_inside_one_fold()
    {
        var set = Set(12, 12);
        var groups = set.Songs.Select((s, i) => $"artist{i / 3}").ToList(); // 8 artists of 3 songs
        var fold = SongFolds.Assign(set, 4, seed: 3, groups);
        foreach (var g in groups.Distinct())
            Assert.Single(Enumerable.Range(0, fold.Length).Where(s => groups[s] == g).Select(s => fold[s]).Distinct());
        Assert.Equal(4, fold.Distinct().Count());
    }

    [Fact]
    public void Groups_that_leave_a_fold_empty_are_refused()
    {
        var set = Set(6, 6);
        var groups = set.Songs.Select(s => s.Key.StartsWith("g0", StringComparison.Ordinal) ? "a" : "b").ToList(); // two groups, three folds
        var e = Assert.Throws<GenreException>(() => SongFolds.Assign(set, 3, seed: 1, groups));
        Assert.Contains("has no songs", e.Message);
    }

    [Fact]
    public void A_groups_file_names_songs_as_a_split_file_does()
    {
        var set = Set(3, 3);
        using var dir = new TempDir();
        File.WriteAllText(dir.File("groups.csv"), "file,group\n# artists\ng0/song00.wav,x\ng0/song01,x\ng1/song00,y\nmissing.wav,z\n");
        var (groups, missing, unnamed) = SongFolds.ReadGroups(dir.File("groups.csv"), set);
        Assert.Equal(groups[0], groups[1]);
        Assert.NotEqual(groups[0], groups[3]);
        Assert.Equal(["missing.wav"], missing);
        Assert.Equal(3, unnamed);
        File.WriteAllText(dir.File("bad.csv"), "file,artist\na,b\n");
        Assert.Contains("header must be 'file,group'", Assert.Throws<GenreException>(() => SongFolds.ReadGroups(dir.File("bad.csv"), set)).Message);
    }
}
