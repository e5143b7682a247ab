using Genre.Features;
using Genre.Prediction;
using Genre.Reports;
using static TorchSharp.torch;

namespace Genre.Explanation;

/// <summary>
/// What drove a song's genre: a heat map over the song's stitched mel spectrogram (row 0 = lowest
/// mel band, columns = time), with the prediction it explains.
/// </summary>
/// <param name="Heat">Rows x Columns, row-major, non-negative; larger = more evidence for <paramref name="Genre"/>.</param>
/// <param name="Spectrogram">The network's input images stitched the same way (dB for dB models).</param>
public sealed record Explanation(SongPrediction Prediction, string Genre, double Probability, float[] Heat, float[] Spectrogram,
    int Rows, int Columns, double SecondsPerColumn)
{
    /// <summary>The window of <paramref name="seconds"/> (default one chunk) holding the most heat, and its share of the song's heat.</summary>
    public (double Start, double End, double Share) StrongestSpan(double seconds = 4)
    {
        double songSeconds = Columns * SecondsPerColumn;
        if (seconds >= songSeconds) return (0, songSeconds, 1);
        var best = (Start: 0.0, End: seconds, Share: -1.0);
        for (double start = 0; start + seconds <= songSeconds + 1e-9; start += 0.5)
        {
            double share = MassBetween(start, start + seconds);
            if (share > best.Share) best = (start, start + seconds, share);
        }
        return best;
    }

    /// <summary>Share of the heat inside [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>), over all rows.</summary>
    public double MassBetween(double fromSeconds, double toSeconds)
    {
        double inside = 0, total = 0;
        for (int x = 0; x < Columns; x++)
        {
            double t = (x + 0.5) * SecondsPerColumn, column = 0;
            for (int y = 0; y < Rows; y++) column += Heat[y * Columns + x];
            total += column;
            if (t >= fromSeconds && t < toSeconds) inside += column;
        }
        return total > 0 ? inside / total : 0;
    }
}

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017) on the last convolution block: per chunk, the block's activation
/// maps weighted by the mean gradient of the genre's logit over each map, summed, ReLU'd and
/// upsampled to the chunk image. The song's probability is the mean of its chunks', so each chunk
/// spreads its own probability of the genre over its pixels in proportion to its map (raw Grad-CAM
/// is not comparable between chunks: noise chunks that the network puts elsewhere had the largest
/// raw maps); chunks are averaged where they overlap, in the song's time axis.
/// Chosen over occlusion because it needs one forward pass and a backward pass through the small
/// dense head only (the convolutions run without gradients), so explaining costs about what
/// predicting costs; occlusion needs a forward pass per occluded patch.
/// </summary>
public sealed class Explainer(Predictor predictor)
{
    /// <summary>Explains <paramref name="genre"/> (default: the predicted genre) for the song at <paramref name="path"/>.</summary>
    public Explanation Explain(string path, string? genre = null, CancellationToken cancel = default)
    {
        var (chunks, seconds) = predictor.Features(path, cancel);
        return Explain(path, chunks, seconds, genre);
    }

    public Explanation Explain(string file, IReadOnlyList<FeatureChunk> chunks, double seconds, string? genre = null)
    {
        var config = predictor.Model.Config;
        var genres = config.Genres;
        int target = -1;
        if (genre is not null && (target = genres.ToList().IndexOf(genre)) < 0)
            throw new GenreException($"genre '{genre}' is not one of the model's ({string.Join(", ", genres)})");
        var f = config.Features;
        int h = f.ImageHeight, w = f.ImageWidth, n = chunks.Count, k = genres.Count;
        var (probs, maps) = predictor.WithNetwork(net =>
        {
            using var scope = NewDisposeScope();
            Tensor activations;
            using (no_grad()) activations = net.ConvFeatures(predictor.Input(chunks));
            activations = activations.detach().requires_grad_(true);
            using var _ = enable_grad();
            var logits = net.Head(activations);
            float[] p = nn.functional.softmax(logits.detach(), 1).data<float>().ToArray();
            if (target < 0) target = MeanArgMax(p, k);
            var score = logits.select(1, target).sum();
            var gradients = autograd.grad([score], [activations])[0];
            var weights = gradients.mean([2, 3], keepdim: true);
            var cam = nn.functional.relu((weights * activations).sum(1, keepdim: true)).detach();
            var up = nn.functional.interpolate(cam, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            var total = up.sum([2, 3], keepdim: true);
            var share = where(total > 0, up / total.clamp_min(1e-30), full_like(up, 1.0 / (h * w))); // a blank map spreads evenly
            var chunkProbability = nn.functional.softmax(logits.detach(), 1).select(1, target).reshape(n, 1, 1, 1);
            return (p, (share * chunkProbability).data<float>().ToArray());
        });
        var prediction = predictor.Summarise(file, chunks, seconds, probs);
        var (heat, columns) = Stitch(maps, n, f);
        var (image, _) = SpectrogramImage.Stitch(chunks.Select(c => c.Image).ToList(), f);
        // The last chunk is zero-padded: keep only the columns the song covers.
        double secondsPerColumn = f.ChunkSeconds / w;
        int kept = Math.Clamp((int)Math.Ceiling(seconds / secondsPerColumn), 1, columns);
        return new Explanation(prediction, genres[target], prediction.Probabilities[genres[target]],
            Crop(heat, h, columns, kept), Crop(image, h, columns, kept), h, kept, secondsPerColumn);
    }

    static int MeanArgMax(float[] probs, int k)
    {
        var mean = new float[k];
        for (int i = 0; i < probs.Length; i++) mean[i % k] += probs[i];
        return Training.Scoring.ArgMax(mean);
    }

    /// <summary>Chunk maps (n x H x W, row 0 = top of the tensor = lowest mel band, as the features) laid on the song's time
    /// axis: rows x columns with row 0 the lowest band; overlapping chunks are averaged.</summary>
    static (float[] Values, int Columns) Stitch(float[] maps, int n, FeatureSettings f)
    {
        int h = f.ImageHeight, w = f.ImageWidth, step = SpectrogramImage.ColumnStep(f);
        int columns = (n - 1) * step + w;
        var sum = new float[h * columns];
        var count = new int[columns];
        for (int c = 0; c < n; c++)
        {
            for (int x = 0; x < w; x++) count[c * step + x]++;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) sum[y * columns + c * step + x] += maps[(c * h + y) * w + x];
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < columns; x++) sum[y * columns + x] /= count[x];
        return (sum, columns);
    }

    static float[] Crop(float[] values, int rows, int columns, int kept)
    {
        if (kept == columns) return values;
        var cropped = new float[rows * kept];
        for (int y = 0; y < rows; y++) values.AsSpan(y * columns, kept).CopyTo(cropped.AsSpan(y * kept, kept));
        return cropped;
    }
}
