using Genre.Data;
using Genre.Model;
using Genre.Training;
using static TorchSharp.torch;

namespace Genre.Tests.Training;

public class TransferTests(TinyData data) : IClassFixture<TinyData>
{
    static readonly TrainingOptions Quick = Recipes.Default.Training.WithEpochs(2) with { BatchSize = 16, ValidationFraction = 0.25, Seed = 5 };

    /// <summary>The tiny set without its last genre: a model of "other" genres to transfer from.</summary>
    FeatureSet TwoGenres()
    {
        var set = new FeatureSet(data.Set.Settings, data.Set.Genres.Take(2).ToList());
        var all = data.Set;
        for (int s = 0; s < all.Songs.Count; s++)
        {
            if (all.Songs[s].Label >= 2) continue;
            set.AddSong(all.Songs[s].Key, all.Songs[s].Label, all.Mel(s));
        }
        return set;
    }

    [Fact]
    public void A_new_head_is_made_for_other_genres_and_the_body_is_taken()
    {
        string source = data.NewDir("source"), target = data.NewDir("target");
        Trainer.Train(TwoGenres(), Quick, source);
        var options = Quick with { InitFrom = source, Epochs = 1, WarmupEpochs = 0, LearningRate = 1e-12 };
        Trainer.Train(data.Set, options, target);
        using var from = ModelStore.Load(source);
        using var to = ModelStore.Load(target);
        Assert.Equal(3, to.Config.Genres.Count);
        var a = from.Network.NamedWeights().ToDictionary(w => w.Name, w => w.Value);
        foreach (var (name, value) in to.Network.NamedWeights())
        {
            if (to.Network.IsHeadWeight(name)) { Assert.NotEqual(a[name].shape, value.shape); continue; }
            if (name.EndsWith("running_mean") || name.EndsWith("running_var")) continue; // statistics move in training mode
            Assert.True(value.allclose(a[name], rtol: 1e-4, atol: 1e-6), name); // a learning rate of 1e-12 leaves the taken weights as they were
        }
    }

    [Fact]
    public void Freeze_trains_the_head_only()
    {
        string source = data.NewDir("source"), target = data.NewDir("frozen");
        Trainer.Train(TwoGenres(), Quick, source);
        Trainer.Train(data.Set, Quick with { InitFrom = source, Freeze = true }, target);
        using var from = ModelStore.Load(source);
        using var to = ModelStore.Load(target);
        var a = from.Network.NamedWeights().ToDictionary(w => w.Name, w => w.Value);
        int head = 0;
        foreach (var (name, value) in to.Network.NamedWeights())
        {
            if (to.Network.IsHeadWeight(name)) { head++; continue; }
            Assert.True(value.eq(a[name]).all().item<bool>(), name); // weights and batch-norm statistics alike
        }
        Assert.Equal(2, head);
    }

    [Fact]
    public void A_model_of_another_network_or_other_features_is_refused()
    {
        string source = data.NewDir("compact");
        Trainer.Train(TwoGenres(), Quick with { Architecture = "compact" }, source);
        var e = Assert.Throws<GenreException>(() => Trainer.Train(data.Set, Quick with { InitFrom = source }, data.NewDir("t")));
        Assert.Contains("'compact' network", e.Message);
        Assert.Contains("not found", Assert.Throws<GenreException>(() => Trainer.Train(data.Set, Quick with { InitFrom = "/no/such/model" }, data.NewDir("t"))).Message);
        Assert.Contains("--freeze needs --init-from", string.Join(";", (Quick with { Freeze = true }).Problems()));
    }
}
