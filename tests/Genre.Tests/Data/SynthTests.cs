using Genre.Data;

namespace Genre.Tests.Data;

public class HardSynthTests
{
    [Fact]
    public void Hard_clips_are_deterministic_and_not_the_easy_ones()
    {
        var genres = Synth.AllGenres.Take(6).ToList();
        var a = Synth.HardClip("jazz", genres, 5, 22050, seed: 4);
        var b = Synth.HardClip("jazz", genres, 5, 22050, seed: 4);
        var easy = Synth.Clip("jazz", 5, 22050, seed: 4);
        Assert.Equal(a, b);
        Assert.NotEqual(easy, a);
        Assert.Equal(easy.Length, a.Length);
        Assert.InRange(a.Max(Math.Abs), 0.25f, 0.9f); // peak normalised to a random loudness, as the easy clips
    }

    [Fact]
    public void The_easy_set_is_unchanged_by_the_hard_one()
    {
        // SHA-256 of files written by the program before the hard set existed (same options: 8 genres, 2 clips of 3 s, seed 9)
        using var dir = new TempDir();
        Synth.Generate(new Synth.Options(dir.Path, Genres: 8, ClipsPerGenre: 2, Seconds: 3, Seed: 9));
        Assert.Equal("a7ef2eb34809f54e538b27999006a3dc4c2a7591a74ad0b0dddba2f158275f93", Sha256(dir.File("rock/rock.00000.wav")));
        Assert.Equal("01a31e5debbe274648bf5574a669014dcedc96821c54b9312f3e9998299989c8", Sha256(dir.File("jazz/jazz.00001.wav")));
        using var hard = new TempDir();
        Synth.Generate(new Synth.Options(hard.Path, Genres: 8, ClipsPerGenre: 2, Seconds: 3, Seed: 9, Hard: true));
        Assert.NotEqual(Sha256(dir.File("rock/rock.00000.wav")), Sha256(hard.File("rock/rock.00000.wav")));
    }

    static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
