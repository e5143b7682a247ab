using Genre.Data;
using Genre.Model;
using Genre.Prediction;
using Genre.Training;

namespace Genre;

/// <summary>
/// A trained genre classifier: the small public API over <see cref="TrainedModel"/> and <see cref="Predictor"/>,
/// with no logic of its own.
/// <code>
/// using var model = GenreModel.Load("model");
/// var p = model.Predict("song.mp3");
/// Console.WriteLine($"{p.Genre} {p.Probability:P0} ({(p.Confidence.Confident ? "confident" : "uncertain")})");
/// </code>
/// Thread-safe: one instance serves concurrent <see cref="Predict(string, CancellationToken)"/> calls (a web app's
/// requests), which share forward passes of the network; each call decodes its own song.
/// </summary>
public sealed class GenreModel : IDisposable
{
    readonly TrainedModel _model;
    readonly Predictor _predictor;

    GenreModel(TrainedModel model)
    {
        _model = model;
        _predictor = new Predictor(model);
    }

    /// <summary>The genres the model tells apart, in its output order.</summary>
    public IReadOnlyList<string> Genres => _model.Config.Genres;

    /// <summary>The model folder's configuration: features, network, training recipe.</summary>
    public ModelConfig Config => _model.Config;

    /// <summary>
    /// Loads a model folder written by <c>genre train</c>, <c>genre demo</c> or <see cref="Train"/>, with the same checks as the
    /// command line: a folder that is not a model, or weights that do not fit it, throw <see cref="GenreException"/> with one line
    /// saying which file is wrong and what to do.
    /// </summary>
    /// <param name="precision">"auto" (bfloat16 where the processor has it natively), "fp32" or "bf16".</param>
    public static GenreModel Load(string modelDirectory, string precision = "auto") =>
        new(ModelStore.Load(modelDirectory, PrecisionChoice.Resolve(precision)));

    /// <summary>The genre of an audio file (WAV, AU, MP3, Ogg Vorbis; other formats through ffmpeg when installed).</summary>
    /// <exception cref="GenreException">The file is missing, not audio, silent or shorter than a second.</exception>
    public GenrePrediction Predict(string path, CancellationToken cancel = default) => GenrePrediction.From(_predictor.Predict(path, cancel));

    /// <summary>The genre of audio read from <paramref name="audio"/> (spooled to a private temporary file, deleted after).</summary>
    /// <param name="name">A file name for the result and the format hint (its extension, e.g. "song.mp3").</param>
    public GenrePrediction Predict(Stream audio, string name = "stream", CancellationToken cancel = default)
    {
        string dir = Directory.CreateTempSubdirectory("genre-stream-").FullName;
        try
        {
            string path = Path.Combine(dir, "audio" + Path.GetExtension(Path.GetFileName(name)));
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write)) audio.CopyTo(file);
            var p = _predictor.Predict(path, cancel);
            return GenrePrediction.From(p with { File = name });
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary><see cref="Predict(string, CancellationToken)"/> on the thread pool.</summary>
    public Task<GenrePrediction> PredictAsync(string path, CancellationToken cancel = default) => Task.Run(() => Predict(path, cancel), cancel);

    /// <summary><see cref="Predict(Stream, string, CancellationToken)"/> on the thread pool.</summary>
    public Task<GenrePrediction> PredictAsync(Stream audio, string name = "stream", CancellationToken cancel = default) =>
        Task.Run(() => Predict(audio, name, cancel), cancel);

    /// <summary>
    /// Trains a model on a data folder (one sub-folder of audio files per genre) with a named recipe, writes it to
    /// <see cref="GenreTrainingOptions.OutputDirectory"/> and loads it. What <c>genre train --data DIR --out DIR</c> does.
    /// </summary>
    public static GenreModel Train(string dataDirectory, GenreTrainingOptions options, IProgress<GenreTrainingProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var recipe = Recipes.Get(options.Recipe);
        var training = (options.Epochs is int epochs ? recipe.Training.WithEpochs(epochs) : recipe.Training) with
        {
            Seed = options.Seed, InitFrom = options.InitFrom, Freeze = options.Freeze, Precision = PrecisionChoice.Resolve(options.Precision),
            SplitFile = options.SplitFile, Split = options.SplitFile is null ? SplitKind.Songs : SplitKind.File,
        };
        var problems = training.Problems();
        if (problems.Count > 0) throw new GenreException(string.Join("; ", problems));
        var dataset = DatasetScanner.Scan(dataDirectory);
        var features = new Progress(p => progress?.Report(new GenreTrainingProgress("features", p.Done, p.Total, null)));
        var (set, _) = ParallelFeatures.Compute(dataset, recipe.Features, features, cancel);
        if (set.Songs.Count == 0) throw new GenreException($"{dataDirectory}: no file could be read");
        var batches = new Relay<BatchProgress>(b => progress?.Report(new GenreTrainingProgress("training", b.Epoch - 1, b.Epochs, null)));
        var epochsDone = new Relay<EpochReport>(e => progress?.Report(new GenreTrainingProgress("training", e.Epoch, e.Epochs, e)));
        var result = Trainer.Train(set, training, options.OutputDirectory, batches, epochsDone, cancel);
        if (result.Stopped) throw new OperationCanceledException(cancel);
        return Load(options.OutputDirectory, options.Precision);
    }

    public void Dispose() => _model.Dispose();

    sealed class Progress(Action<SongProgress> report) : IProgress<SongProgress>
    {
        public void Report(SongProgress value) => report(value);
    }

    sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>A song's genre, as <see cref="GenreModel.Predict(string, CancellationToken)"/> gives it.</summary>
/// <param name="File">The file (or the name given with a stream).</param>
/// <param name="Genre">The most probable genre (of the song's chunk probabilities combined).</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">Every genre's probability, in the model's order.</param>
/// <param name="Confidence">How far to trust it: spread and agreement of the chunks, and the verdict.</param>
/// <param name="Timeline">Each chunk's time span and own top genre.</param>
/// <param name="Seconds">The song's duration.</param>
public sealed record GenrePrediction(string File, string Genre, double Probability, IReadOnlyDictionary<string, double> Probabilities,
    Confidence Confidence, IReadOnlyList<ChunkPrediction> Timeline, double Seconds)
{
    internal static GenrePrediction From(SongPrediction p) =>
        new(p.File, p.Genre, p.Probability, p.Probabilities, p.Confidence!, p.Timeline, p.Seconds);
}

/// <summary>What <see cref="GenreModel.Train"/> needs besides the data: where to write the model, and the recipe.</summary>
public sealed record GenreTrainingOptions
{
    /// <summary>The model folder to write (config.json, model.safetensors, history.json, plots).</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>"default" or "tutorial" (<see cref="Recipes"/>).</summary>
    public string Recipe { get; init; } = "default";
    /// <summary>Epochs instead of the recipe's.</summary>
    public int? Epochs { get; init; }
    /// <summary>A CSV "file,split" naming each file's side; null splits by song at random (20 % validate).</summary>
    public string? SplitFile { get; init; }
    /// <summary>A trained model whose layers start this one (transfer to other genres).</summary>
    public string? InitFrom { get; init; }
    /// <summary>With <see cref="InitFrom"/>: train only the new head.</summary>
    public bool Freeze { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>"auto", "fp32" or "bf16".</summary>
    public string Precision { get; init; } = "auto";
}

/// <summary>Where <see cref="GenreModel.Train"/> is: computing features (songs done of total) or training (epochs done of total,
/// with the finished epoch's figures).</summary>
public sealed record GenreTrainingProgress(string Stage, int Done, int Total, EpochReport? Epoch);
