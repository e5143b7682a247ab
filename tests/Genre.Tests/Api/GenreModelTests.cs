using Genre.Tests.Explanation;

namespace Genre.Tests.Api;

/// <summary>The public API: what an application sees (GenreModel, GenrePrediction).</summary>
[Collection(TrainedTinyModelCollection.Name)]
public class GenreModelTests(TrainedTinyModel fixture)
{
    string Song(string genre, int index = 0) => fixture.Data.Dataset.Songs.Where(s => s.Genre == genre).ElementAt(index).Path;

    [Fact]
    public void Load_and_predict_give_what_the_command_line_gives()
    {
        using var model = GenreModel.Load(fixture.ModelDir);
        Assert.Equal(["ambient", "classical", "jazz"], model.Genres);
        var p = model.Predict(Song("classical"));
        var cli = new Genre.Prediction.Predictor(fixture.Model).Predict(Song("classical"));
        Assert.Equal(cli.Genre, p.Genre);
        Assert.Equal(model.Genres.Count, p.Probabilities.Count);
        Assert.Equal(1.0, p.Probabilities.Values.Sum(), 4);
        Assert.Equal(p.Probabilities[p.Genre], p.Probability);
        Assert.Equal(9, p.Timeline.Count); // 10 s: 2-s windows every second
        Assert.InRange(p.Confidence.Agreement, 0, 1);
        Assert.Equal(10.0, p.Seconds, 2);
    }

    [Fact]
    public async Task A_stream_gets_the_same_answer_as_its_file_and_async_works()
    {
        using var model = GenreModel.Load(fixture.ModelDir);
        string path = Song("jazz");
        var fromFile = model.Predict(path);
        await using var stream = File.OpenRead(path);
        var fromStream = await model.PredictAsync(stream, "upload.wav");
        Assert.Equal("upload.wav", fromStream.File);
        Assert.Equal(fromFile.Genre, fromStream.Genre);
        foreach (var g in model.Genres) Assert.Equal(fromFile.Probabilities[g], fromStream.Probabilities[g], 6);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.PredictAsync(path, cancelled.Token));
    }

    [Fact]
    public void Concurrent_predictions_from_many_threads_equal_one_at_a_time()
    {
        using var model = GenreModel.Load(fixture.ModelDir);
        var songs = fixture.Data.Dataset.Songs.Take(12).Select(s => s.Path).ToList();
        var alone = songs.Select(s => model.Predict(s)).ToList();
        var together = new GenrePrediction[songs.Count];
        Parallel.For(0, songs.Count, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i => together[i] = model.Predict(songs[i]));
        for (int i = 0; i < songs.Count; i++)
        {
            Assert.Equal(alone[i].Genre, together[i].Genre);
            foreach (var g in model.Genres) Assert.Equal(alone[i].Probabilities[g], together[i].Probabilities[g], 5);
        }
    }

    [Fact]
    public void A_folder_that_is_not_a_model_is_refused_with_one_line()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<GenreException>(() => GenreModel.Load(dir.Path));
        Assert.Contains("config.json", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Contains("not found", Assert.Throws<GenreException>(() => GenreModel.Load(dir.File("nothing"))).Message);
        using var model = GenreModel.Load(fixture.ModelDir);
        Assert.Contains("not found", Assert.ThrowsAny<GenreException>(() => model.Predict(dir.File("missing.mp3"))).Message);
    }

    [Fact]
    public void Train_writes_a_model_folder_and_returns_it_loaded()
    {
        using var dir = new TempDir();
        var stages = new List<string>();
        using var model = GenreModel.Train(fixture.Data.DataDir, new GenreTrainingOptions { OutputDirectory = dir.File("m"), Epochs = 1 },
            new Genre.Tests.Training.SyncProgress<GenreTrainingProgress>(p => { lock (stages) stages.Add(p.Stage); }));
        Assert.Equal(["ambient", "classical", "jazz"], model.Genres);
        Assert.True(File.Exists(dir.File("m/model.safetensors")));
        Assert.Contains("features", stages);
        Assert.Contains("training", stages);
        Assert.Equal("default", model.Config.Recipe);
    }
}
