using Genre.Fuzz;

namespace Genre.Tests.Audio;

/// <summary>
/// Replays what fuzz/run.sh found (tests/fixtures/fuzz/) and a fixed-seed batch of mutants through the WAV and
/// AU decoders (the harness's <see cref="FuzzTarget"/>): each input must decode or be rejected with a
/// GenreException, must finish (the bound only catches hangs), and must not allocate from a header size.
/// </summary>
public class FuzzRegressionTests
{
    static readonly TimeSpan HangBound = TimeSpan.FromSeconds(10);
    static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "fuzz");

    public static TheoryData<string> Findings() => new(Directory.GetFiles(FixtureDir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void The_findings_folder_is_copied_to_the_test_output() =>
        Assert.NotEmpty(Directory.GetFiles(FixtureDir));

    [Theory]
    [MemberData(nameof(Findings))]
    public void Every_kept_finding_is_decoded_or_rejected_cleanly(string file) =>
        CheckWithinBound(File.ReadAllBytes(Path.Combine(FixtureDir, file)));

    [Fact]
    public void Every_seed_decodes_so_the_mutants_start_from_valid_files()
    {
        foreach (var (name, data) in Seeds.All())
            Assert.True(FuzzTarget.Run(data) > 0, $"{name} did not decode");
    }

    [Fact]
    public void Two_thousand_fixed_seed_mutants_are_decoded_or_rejected_cleanly()
    {
        var seeds = Seeds.All().Select(s => s.Data).ToArray();
        var mutator = new Mutator(20261127);
        int decoded = 0;
        for (int i = 0; i < 2000; i++)
            decoded += CheckWithinBound(mutator.Mutate(seeds[i % seeds.Length]));
        Assert.InRange(decoded, 1, 3 * 2000 - 1); // the batch reaches both outcomes: decoded and rejected
    }

    /// <summary>Runs <see cref="FuzzTarget.Check"/> (which throws on a foreign exception type or on excess allocation)
    /// on a worker, failing if it has not finished within <see cref="HangBound"/>.</summary>
    static int CheckWithinBound(byte[] data)
    {
        var run = Task.Run(() => FuzzTarget.Check(data));
        Assert.True(run.Wait(HangBound), $"decoding {data.Length} bytes did not finish within {HangBound.TotalSeconds} s (a hang)");
        return run.Result;
    }
}
