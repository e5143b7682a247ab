using Genre.Data;
using Genre.Features;

namespace Genre.Tests;

/// <summary>A small synthetic data set (3 genres x 8 clips x 10 s) and its features, made once per test class.</summary>
public sealed class TinyData : IDisposable
{
    readonly TempDir _dir = new();
    public string DataDir => Path.Combine(_dir.Path, "data");
    public Dataset Dataset { get; }
    public FeatureSet Set { get; }

    public TinyData()
    {
        Synth.Generate(new Synth.Options(DataDir, Genres: 3, ClipsPerGenre: 8, Seconds: 10, Seed: 3));
        Dataset = DatasetScanner.Scan(DataDir);
        var (set, failures) = ParallelFeatures.Compute(Dataset, FeatureSettings.Default);
        Assert.Empty(failures);
        Set = set;
    }

    public string NewDir(string name) => Path.Combine(_dir.Path, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => _dir.Dispose();
}
