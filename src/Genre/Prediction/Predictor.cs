using Genre.Features;
using Genre.Model;
using Genre.Training;
using static TorchSharp.torch;

namespace Genre.Prediction;

/// <summary>The genre of one chunk of a song, with its time span.</summary>
public sealed record ChunkPrediction(double Start, double End, string Genre, double Probability);

/// <summary>A song's prediction: the arg-max of the mean of its chunk probabilities, and the tutorial's majority vote beside it;
/// with how far it can be trusted (<see cref="Prediction.Confidence"/>).</summary>
public sealed record SongPrediction(string File, string Genre, double Probability, IReadOnlyDictionary<string, double> Probabilities,
    string VoteGenre, int Chunks, double Seconds, IReadOnlyList<ChunkPrediction> Timeline, Confidence? Confidence = null)
{
    public IEnumerable<KeyValuePair<string, double>> Top(int n) => Probabilities.OrderByDescending(kv => kv.Value).Take(n);
}

/// <summary>Predicts songs with a trained model, computing exactly the features the model was trained on.</summary>
/// <param name="scorer">Another engine for the network (e.g. ONNX Runtime); null runs the model's TorchSharp network.</param>
/// <param name="minConfidence">Songs whose genre has a lower probability are "uncertain" (`--min-confidence`).</param>
public sealed class Predictor(TrainedModel model, IChunkScorer? scorer = null, double minConfidence = Confidence.DefaultMinConfidence)
{
    /// <summary>Songs shorter than this are refused: one padded chunk of mostly silence says little.</summary>
    public const double MinSeconds = 1.0;
    /// <summary>Peaks below this (about -120 dBFS) count as silence.</summary>
    public const float SilencePeak = 1e-6f;

    readonly ThreadLocal<FeatureExtractor> _extractors = new(() => new FeatureExtractor(model.Config.Features));
    readonly object _networkGate = new();
    readonly SharedForwardPass _forward = new(model.Config.Genres.Count, maxImages: 2 * BatchChunks);

    public TrainedModel Model => model;

    /// <summary>Feature images of a song, with its duration; refuses silent and too-short audio.</summary>
    public (List<FeatureChunk> Chunks, double Seconds) Features(string path, CancellationToken cancel = default)
    {
        var extractor = _extractors.Value!;
        var chunks = extractor.ExtractFile(path, cancel).ToList();
        return (chunks, Check(path, extractor));
    }

    /// <summary>Chunks per forward pass: bounds the network's memory whatever the length of the song.</summary>
    public const int BatchChunks = 32;

    /// <summary>
    /// Classifies a song in bounded memory: its chunks stream from the decoder through the network in
    /// batches of <see cref="BatchChunks"/>, and only each chunk's probabilities and time span are kept
    /// (a 3-hour recording's 5,399 feature images would otherwise take 486 MB).
    /// </summary>
    public SongPrediction Predict(string path, CancellationToken cancel = default)
    {
        var extractor = _extractors.Value!;
        var spans = new List<FeatureChunk>();
        var probabilities = new List<float>();
        var batch = new List<FeatureChunk>(BatchChunks);
        void Flush()
        {
            if (batch.Count == 0) return;
            probabilities.AddRange(Probabilities(batch));
            spans.AddRange(batch.Select(c => c with { Image = [] })); // the span is kept, the image let go
            batch.Clear();
        }
        foreach (var chunk in extractor.ExtractFile(path, cancel))
        {
            batch.Add(chunk);
            if (batch.Count == BatchChunks) Flush();
        }
        double seconds = Check(path, extractor);
        Flush();
        return Summarise(path, spans, seconds, probabilities.ToArray());
    }

    /// <summary>The song's duration; refuses silent and too-short audio.</summary>
    double Check(string path, FeatureExtractor extractor)
    {
        double seconds = (double)extractor.SamplesRead / model.Config.Features.SampleRate;
        if (seconds < MinSeconds) throw new GenreException($"{path}: too short ({seconds:F2} s); at least {MinSeconds:F0} s of audio is needed");
        if (extractor.Peak < SilencePeak) throw new GenreException($"{path}: is silent (no signal above -120 dBFS)");
        return seconds;
    }

    /// <summary>Runs the network over a song's chunk images (thread-safe: one forward pass at a time).</summary>
    public SongPrediction Classify(string path, IReadOnlyList<FeatureChunk> chunks, double seconds) =>
        Summarise(path, chunks, seconds, Probabilities(chunks));

    /// <summary>Softmax probabilities of chunk images, row-major (chunk, genre), computed in batches of <see cref="BatchChunks"/>
    /// (thread-safe: concurrent callers share forward passes, see <see cref="SharedForwardPass"/>).</summary>
    public float[] Probabilities(IReadOnlyList<FeatureChunk> chunks)
    {
        int k = model.Config.Genres.Count;
        var result = new float[chunks.Count * k];
        for (int start = 0; start < chunks.Count; start += BatchChunks)
        {
            var images = chunks.Skip(start).Take(BatchChunks).Select(c => c.Image).ToList();
            _forward.Run(images, Forward).CopyTo(result, start * k);
        }
        return result;
    }

    float[] Forward(IReadOnlyList<float[]> images)
    {
        if (scorer is not null) return scorer.Probabilities(images);
        var f = model.Config.Features;
        lock (_networkGate)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            model.Network.eval();
            model.Network.FreezeForInference(); // the model's weights never change here
            var x = Batches.FromImages(images, f.InputHeight, f.InputWidth, model.Config.Normalization);
            return nn.functional.softmax(model.Network.call(x), 1).data<float>().ToArray();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the network in evaluation mode, one caller at a time.</summary>
    public T WithNetwork<T>(Func<GenreNet, T> work)
    {
        lock (_networkGate)
        {
            model.Network.eval();
            model.Network.FreezeForInference();
            return work(model.Network);
        }
    }

    /// <summary>The network's input for a song's chunk images: (chunks, 1, height, width), normalised as in training.</summary>
    public Tensor Input(IReadOnlyList<FeatureChunk> chunks)
    {
        var f = model.Config.Features;
        return Batches.FromImages(chunks.Select(c => c.Image).ToList(), f.InputHeight, f.InputWidth, model.Config.Normalization);
    }

    /// <summary>The song's prediction from its chunks' spans and probabilities (chunk after chunk, one per genre).</summary>
    public SongPrediction Summarise(string path, IReadOnlyList<FeatureChunk> chunks, double seconds, float[] probs)
    {
        var genres = model.Config.Genres;
        int k = genres.Count;
        var song = SongAverage.Of(probs, k, model.Config.SongAveraging);
        var votes = new int[k];
        var timeline = new List<ChunkPrediction>();
        for (int c = 0; c < chunks.Count; c++)
        {
            var p = probs.AsSpan(c * k, k);
            int best = Scoring.ArgMax(p);
            votes[best]++;
            timeline.Add(new ChunkPrediction(chunks[c].StartSeconds, Math.Min(chunks[c].EndSeconds, seconds), genres[best], p[best]));
        }
        int top = Scoring.ArgMax(song);
        int vote = Array.IndexOf(votes, votes.Max());
        var byGenre = genres.Select((g, i) => (g, i)).ToDictionary(t => t.g, t => (double)song[t.i]);
        return new SongPrediction(path, genres[top], song[top], byGenre, genres[vote], chunks.Count, seconds, timeline,
            Confidence.Of(probs, k, top, minConfidence));
    }
}
