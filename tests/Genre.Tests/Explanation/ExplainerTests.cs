using Genre.Audio;
using Genre.Data;
using Genre.Explanation;
using Genre.Model;
using Genre.Prediction;
using Genre.Reports;
using Genre.Training;

namespace Genre.Tests.Explanation;

/// <summary>A model of the default recipe trained briefly on TinyData's three synthetic textures (ambient, classical, jazz), which it tells apart.</summary>
public sealed class TrainedTinyModel : IDisposable
{
    public TinyData Data { get; } = new();
    public string ModelDir { get; }
    public TrainedModel Model { get; }

    public TrainedTinyModel()
    {
        ModelDir = Data.NewDir("model");
        Trainer.Train(Data.Set, Recipes.Default.Training.WithEpochs(10) with { BatchSize = 16, ValidationFraction = 0.25 }, ModelDir);
        Model = ModelStore.Load(ModelDir);
    }

    public void Dispose()
    {
        Model.Dispose();
        Data.Dispose();
    }
}

/// <summary>Test classes that share one <see cref="TrainedTinyModel"/> (training it costs ~10 s).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedTinyModelCollection : ICollectionFixture<TrainedTinyModel>
{
    public const string Name = "trained tiny model";
}

[Collection(TrainedTinyModelCollection.Name)]
public class ExplainerTests(TrainedTinyModel fixture)
{
    const int Rate = 22050;
    const double Seconds = 20, SpanStart = 8, SpanEnd = 14;

    /// <summary>White noise for 20 s, with <paramref name="genre"/>'s texture mixed in from 8 to 14 s when given.</summary>
    static string NoiseWithSpan(TempDir dir, string? genre, double seconds = Seconds, double spanStart = SpanStart, double spanEnd = SpanEnd)
    {
        var rng = new Random(7);
        var clip = new float[(int)(seconds * Rate)];
        for (int i = 0; i < clip.Length; i++) clip[i] = (float)(0.05 * (rng.NextDouble() * 2 - 1));
        if (genre is not null)
        {
            var texture = Synth.Clip(genre, spanEnd - spanStart, Rate, seed: 11);
            for (int i = 0; i < texture.Length; i++) clip[(int)(spanStart * Rate) + i] += texture[i];
        }
        string path = dir.File($"noise-{seconds}s-with-{genre ?? "nothing"}.wav");
        using (var s = File.Create(path)) WavDecoder.Write(s, clip, 1, Rate);
        return path;
    }

    /// <summary>
    /// For every texture but the one the model hears in plain noise (this model takes white noise for jazz, whose
    /// cymbals are noise: there the noise itself is evidence), the explanation of the texture's genre lies in its span.
    /// The span is 30 % of the clip, so an explanation blind to it puts about 0.3 of the heat there; the assertion asks
    /// for 0.4 and that the strongest window is centred in the span. Measured on fixtures trained with seeds 42, 1, 2
    /// and 3 (ambient and classical, 2-core CPU): 0.71 and 0.45, 0.78 and 0.58, 0.79 and 0.77, 0.81 and 0.88. How well
    /// a 10-epoch model localises depends on its seed (an earlier build measured 0.86 and 0.90 for seed 42, but 0.33
    /// to 0.79 for others), hence a threshold with room rather than one seed's figure. Raw Grad-CAM (chunks not weighted by their probability of the genre) put 0.126 there
    /// on an earlier fixture (6 epochs, jazz in noise): the maps of the noise chunks were the largest.
    /// </summary>
    [Fact]
    public void The_explanation_of_a_texture_in_noise_puts_most_of_its_mass_inside_the_textures_span()
    {
        using var dir = new TempDir();
        var predictor = new Predictor(fixture.Model);
        var explainer = new Explainer(predictor);
        string noiseGenre = predictor.Predict(NoiseWithSpan(dir, null)).Genre;
        var textures = fixture.Data.Dataset.Genres.Where(g => g != noiseGenre).ToList();
        Assert.Equal(2, textures.Count);
        foreach (var genre in textures)
        {
            var e = explainer.Explain(NoiseWithSpan(dir, genre), genre);
            Assert.Equal((128, 862), (e.Rows, e.Columns)); // 20 s: a column per frame (1 + 441,000 / 512)
            double inside = e.MassBetween(SpanStart, SpanEnd);
            Assert.True(inside >= 0.4, $"{genre}: only {inside:F3} of the heat is inside {SpanStart}-{SpanEnd} s");
            var (start, end, _) = e.StrongestSpan();
            Assert.InRange((start + end) / 2, SpanStart, SpanEnd);
        }
    }

    /// <summary>80 s are 79 windows, more than one batch of Grad-CAM (32): the texture, late in the second batch, must
    /// still be found where it is, so each batch's maps land at their own chunks' place on the time axis.</summary>
    [Fact]
    public void A_song_longer_than_one_batch_is_explained_batch_by_batch_in_the_right_places()
    {
        const double Long = 80, Start = 68, End = 74;
        using var dir = new TempDir();
        var predictor = new Predictor(fixture.Model);
        var explainer = new Explainer(predictor);
        string noiseGenre = predictor.Predict(NoiseWithSpan(dir, null, Long, Start, End)).Genre;
        foreach (var genre in fixture.Data.Dataset.Genres.Where(g => g != noiseGenre))
        {
            string song = NoiseWithSpan(dir, genre, Long, Start, End);
            var e = explainer.Explain(song, genre);
            Assert.True(e.Prediction.Chunks > Predictor.BatchChunks, $"{e.Prediction.Chunks} chunks");
            Assert.Equal((128, 3446), (e.Rows, e.Columns)); // 80 s: a column per frame
            var (start, end, _) = e.StrongestSpan();
            Assert.InRange((start + end) / 2, Start, End);
            Assert.Equal(predictor.Predict(song).Probabilities, e.Prediction.Probabilities);
        }
    }

    [Fact]
    public void Mass_between_two_times_is_the_heat_of_the_columns_whose_centre_lies_between_them()
    {
        var random = new Random(5);
        const int Rows = 3, Columns = 40;
        const double SecondsPerColumn = 0.1;
        var heat = Enumerable.Range(0, Rows * Columns).Select(_ => (float)random.NextDouble()).ToArray();
        var e = new Genre.Explanation.Explanation(null!, "jazz", 1, heat, new float[Rows * Columns], Rows, Columns, SecondsPerColumn);
        double total = heat.Sum(v => (double)v);
        double BruteForce(double from, double to)
        {
            double inside = 0;
            for (int x = 0; x < Columns; x++)
                if ((x + 0.5) * SecondsPerColumn >= from && (x + 0.5) * SecondsPerColumn < to)
                    for (int y = 0; y < Rows; y++) inside += heat[y * Columns + x];
            return inside / total;
        }
        foreach (var (from, to) in new[] { (0.0, 4.0), (0.05, 0.15), (0.049, 0.151), (1.25, 2.35), (3.9, 4.0), (-1.0, 0.3), (2.0, 9.0), (1.0, 1.0) })
            Assert.Equal(BruteForce(from, to), e.MassBetween(from, to), 1e-12);
        var (start, end, share) = e.StrongestSpan(1);
        for (double s = 0; s + 1 <= 4 + 1e-9; s += 0.5) Assert.True(BruteForce(s, s + 1) <= share + 1e-12);
        Assert.Equal(BruteForce(start, end), share, 1e-12);
    }

    [Fact]
    public void By_default_the_predicted_genre_is_explained_and_an_unknown_genre_is_refused()
    {
        var song = fixture.Data.Dataset.Songs.First(s => s.Genre == "classical").Path;
        var explainer = new Explainer(new Predictor(fixture.Model));
        var e = explainer.Explain(song);
        Assert.Equal(e.Prediction.Genre, e.Genre);
        Assert.Equal(e.Prediction.Probability, e.Probability);
        Assert.Equal(new Predictor(fixture.Model).Predict(song).Probabilities, e.Prediction.Probabilities); // the same numbers as predict
        Assert.Contains("not one of the model's", Assert.Throws<GenreException>(() => explainer.Explain(song, genre: "polka")).Message);
    }

    [Fact]
    public void The_network_split_at_the_last_convolution_block_computes_the_same_logits()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var _ = TorchSharp.torch.no_grad();
        var net = fixture.Model.Network;
        net.eval();
        var x = TorchSharp.torch.rand(2, 1, 128, 87);
        Assert.True(net.call(x).allclose(net.Head(net.ConvFeatures(x)), rtol: 1e-4, atol: 1e-5));
        Assert.Equal([2L, 128, 8, 5], net.ConvFeatures(x).shape); // resnet: the last block's 128 maps of 8x5
    }
}
