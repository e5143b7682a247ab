using Genre.Evaluation;
using Genre.Training;

namespace Genre.Tests.Evaluation;

public class CrossValidationTests(TinyData data) : IClassFixture<TinyData>
{
    static readonly TrainingOptions Quick = Recipes.Default.Training.WithEpochs(2) with { BatchSize = 16 };

    [Fact]
    public void Each_fold_is_a_training_run_and_the_report_has_mean_and_spread()
    {
        string dir = data.NewDir("cv");
        var result = CrossValidation.Run(data.Set, Quick, 2, dir)!;
        Assert.Equal(2, result.Results.Count);
        Assert.Equal(data.Set.Songs.Count, result.Results.Sum(f => f.ValidationSongs));
        Assert.Equal(result.Results.Average(f => f.SongAccuracy), result.SongAccuracy.Mean, 9);
        foreach (var f in result.Results)
        {
            Assert.True(File.Exists(Path.Combine(dir, $"fold-{f.Fold}", "model.safetensors")));
            var split = File.ReadAllLines(Path.Combine(dir, $"fold-{f.Fold}.csv"));
            Assert.Equal(f.ValidationSongs, split.Count(l => l.EndsWith(",val")));
        }
        // no song validates in both folds
        var val1 = File.ReadAllLines(Path.Combine(dir, "fold-1.csv")).Where(l => l.EndsWith(",val")).ToHashSet();
        var val2 = File.ReadAllLines(Path.Combine(dir, "fold-2.csv")).Where(l => l.EndsWith(",val")).ToHashSet();
        Assert.Empty(val1.Intersect(val2));
        Assert.True(File.Exists(Path.Combine(dir, CrossValidation.ResultFile)));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(dir, CrossValidation.PlotFile))[..4]);
    }

    [Fact]
    public void A_stopped_run_keeps_its_finished_folds_and_continues()
    {
        string dir = data.NewDir("cv");
        using var stop = new CancellationTokenSource();
        var progress = new Genre.Tests.Training.SyncProgress<CrossValidationProgress>(p => { if (p.Finished is not null) stop.Cancel(); });
        Assert.Null(CrossValidation.Run(data.Set, Quick, 2, dir, progress: progress, cancel: stop.Token));
        string firstModel = Path.Combine(dir, "fold-1", "model.safetensors");
        var written = File.GetLastWriteTimeUtc(firstModel);
        Assert.False(File.Exists(Path.Combine(dir, "fold-2", CrossValidation.FoldFile)));
        var result = CrossValidation.Run(data.Set, Quick, 2, dir)!;
        Assert.Equal(2, result.Results.Count);
        Assert.Equal(written, File.GetLastWriteTimeUtc(firstModel)); // fold 1 was not trained again
    }

    [Fact]
    public void A_folder_of_another_run_is_refused()
    {
        string dir = data.NewDir("cv");
        CrossValidation.Run(data.Set, Quick with { Epochs = 1, WarmupEpochs = 0 }, 2, dir);
        var e = Assert.Throws<GenreException>(() => CrossValidation.Run(data.Set, Quick, 2, dir));
        Assert.Contains("other folds or another recipe", e.Message);
    }
}
