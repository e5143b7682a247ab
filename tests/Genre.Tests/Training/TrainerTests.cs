using Genre.Data;
using Genre.Model;
using Genre.Training;

namespace Genre.Tests.Training;

public class TrainerTests(TinyData data) : IClassFixture<TinyData>
{
    static readonly TrainingOptions Small = new()
    {
        Architecture = "compact", Epochs = 2, BatchSize = 8, LearningRate = 1e-3, ValidationFraction = 0.25, Seed = 7,
    };

    [Fact]
    public void A_short_run_learns_and_writes_every_file()
    {
        string dir = data.NewDir("model");
        var result = Trainer.Train(data.Set, Small with { Epochs = 8 }, dir);
        var h = result.History;
        Assert.Equal(8, h.Epochs);
        Assert.True(h.Loss[^1] < h.Loss[0] * 0.7, $"loss {h.Loss[0]:F3} -> {h.Loss[^1]:F3}");
        Assert.True(h.ValAccuracy.Max() > 0.6, $"val accuracy {h.ValAccuracy.Max():F2} (chance is 0.33)");
        foreach (var f in new[] { "config.json", "model.safetensors", "history.json", "split.json", "accuracy.png", "loss.png", "checkpoint/state.json" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var png = File.ReadAllBytes(Path.Combine(dir, "accuracy.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        string json = File.ReadAllText(Path.Combine(dir, "history.json"));
        foreach (var key in new[] { "\"loss\"", "\"accuracy\"", "\"val_loss\"", "\"val_accuracy\"" }) Assert.Contains(key, json);
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp", SearchOption.AllDirectories)); // atomic writes leave nothing behind
    }

    [Fact]
    public void Reloaded_model_reproduces_the_best_epoch_exactly()
    {
        string dir = data.NewDir("model");
        var result = Trainer.Train(data.Set, Small with { Epochs = 3 }, dir);
        using var a = ModelStore.Load(dir);
        using var b = ModelStore.Load(dir);
        var split = SongSplit.FromValidationSongs(data.Set, SplitRecord.Load(Path.Combine(dir, ModelStore.SplitFile)).Validation.ToHashSet());
        var pa = Scoring.Score(a.Network, data.Set, split.ValidationChunks, a.Config.Normalization);
        var pb = Scoring.Score(b.Network, data.Set, split.ValidationChunks, b.Config.Normalization);
        Assert.Equal(pa.Probabilities.SelectMany(p => p), pb.Probabilities.SelectMany(p => p));
        double accuracy = Scoring.ChunkAccuracy(data.Set, split.ValidationChunks, pa.Probabilities);
        Assert.Equal(result.History.ValAccuracy[result.BestEpoch - 1], accuracy);
        Assert.Equal(result.BestEpoch, a.Config.BestEpoch);
    }

    [Fact]
    public void The_default_recipe_resumes_exactly_too_random_crops_augmentation_and_batch_norms_included()
    {
        var options = Recipes.Default.Training.WithEpochs(2) with
        {
            BatchSize = 16, ValidationFraction = 0.25, Seed = 3,
            // every augmentation on, the optional ones too, so that each random draw must resume where it stopped
            Augmentation = Recipes.Default.Training.Augmentation with { TimeMasks = 2, FrequencyMasks = 2, MixupAlpha = 0.3, GainDb = 3, TiltDb = 10 },
        };
        string whole = data.NewDir("whole"), parts = data.NewDir("parts");
        var unbroken = Trainer.Train(data.Set, options, whole);
        using var stop = new CancellationTokenSource(); // Ctrl+C after the first epoch: the schedule stays the 2-epoch one
        var stopped = Trainer.Train(data.Set, options, parts, epochProgress: new SyncProgress<EpochReport>(_ => stop.Cancel()), cancel: stop.Token);
        Assert.True(stopped.Stopped);
        var resumed = Trainer.Resume(data.Set, parts, epochs: null);
        Assert.Equal(unbroken.History.Loss, resumed.History.Loss);
        Assert.Equal(unbroken.History.ValLoss, resumed.History.ValLoss);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "checkpoint", "weights.safetensors")),
                     File.ReadAllBytes(Path.Combine(parts, "checkpoint", "weights.safetensors")));
    }

    [Fact]
    public void Resume_continues_exactly_as_an_unbroken_run()
    {
        string whole = data.NewDir("whole"), parts = data.NewDir("parts");
        var unbroken = Trainer.Train(data.Set, Small, whole);
        Trainer.Train(data.Set, Small with { Epochs = 1 }, parts);
        var resumed = Trainer.Resume(data.Set, parts, epochs: 2);
        Assert.Equal(unbroken.History.Loss, resumed.History.Loss);
        Assert.Equal(unbroken.History.ValAccuracy, resumed.History.ValAccuracy);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "checkpoint", "weights.safetensors")),
                     File.ReadAllBytes(Path.Combine(parts, "checkpoint", "weights.safetensors")));
    }

    [Fact]
    public void Runs_in_parallel_in_one_process_stay_reproducible()
    {
        // Each network draws its initial weights and dropout masks from its own generator,
        // so concurrent runs (and any other use of libtorch's global generator) cannot disturb it.
        var dirs = new[] { data.NewDir("p1"), data.NewDir("p2") };
        Parallel.ForEach(dirs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, dir =>
        {
            TorchSharp.torch.rand(1000).Dispose(); // someone else drawing from the global generator
            Trainer.Train(data.Set, Small with { Epochs = 1 }, dir);
        });
        Assert.Equal(File.ReadAllBytes(Path.Combine(dirs[0], "checkpoint", "weights.safetensors")),
                     File.ReadAllBytes(Path.Combine(dirs[1], "checkpoint", "weights.safetensors")));
    }

    [Fact]
    public void Cancelling_keeps_the_finished_epochs()
    {
        string dir = data.NewDir("stopped");
        using var cancel = new CancellationTokenSource();
        var result = Trainer.Train(data.Set, Small with { Epochs = 5 }, dir,
            epochProgress: new SyncProgress<EpochReport>(_ => cancel.Cancel()), cancel: cancel.Token);
        Assert.True(result.Stopped);
        Assert.Equal(1, result.History.Epochs);
        Assert.Equal(1, History.Load(Path.Combine(dir, "history.json")).Epochs);
        var resumed = Trainer.Resume(data.Set, dir, epochs: 2);
        Assert.Equal(2, resumed.History.Epochs);
    }

    [Fact]
    public void Bad_options_are_refused_before_any_work()
    {
        string dir = data.NewDir("bad");
        Assert.Throws<GenreException>(() => Trainer.Train(data.Set, Small with { Epochs = 0 }, dir));
        Assert.Throws<GenreException>(() => Trainer.Train(data.Set, Small with { BatchSize = -1 }, dir));
        Assert.Throws<GenreException>(() => Trainer.Train(data.Set, Small with { ValidationFraction = 1.0 }, dir));
        Assert.False(Directory.Exists(dir));
    }
}

sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
