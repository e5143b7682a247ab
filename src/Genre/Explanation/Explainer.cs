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

    /// <summary>Share of the heat inside [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>), over all rows:
    /// the columns whose centre falls inside.</summary>
    public double MassBetween(double fromSeconds, double toSeconds)
    {
        var heatBefore = HeatBeforeColumn();
        double total = heatBefore[Columns];
        if (total <= 0) return 0;
        return (heatBefore[FirstColumnFrom(toSeconds)] - heatBefore[FirstColumnFrom(fromSeconds)]) / total;
    }

    /// <summary>The first column whose centre is at or after <paramref name="seconds"/> (Columns if none).</summary>
    int FirstColumnFrom(double seconds)
    {
        int x = (int)Math.Clamp(Math.Ceiling(seconds / SecondsPerColumn - 0.5), 0, Columns);
        while (x > 0 && (x - 0.5) * SecondsPerColumn >= seconds) x--; // exact at the boundaries, whatever the rounding above
        while (x < Columns && (x + 0.5) * SecondsPerColumn < seconds) x++;
        return x;
    }

    /// <summary>Heat of all columns before each column (Columns + 1 entries), summed once: a span's heat is a difference
    /// of two, so finding the strongest span of an hour of audio takes milliseconds (summing each span anew took minutes).</summary>
    double[] HeatBeforeColumn()
    {
        if (_heatBefore is not null) return _heatBefore;
        var before = new double[Columns + 1];
        for (int x = 0; x < Columns; x++)
        {
            double column = 0;
            for (int y = 0; y < Rows; y++) column += Heat[y * Columns + x];
            before[x + 1] = before[x] + column;
        }
        return _heatBefore = before;
    }

    double[]? _heatBefore;
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

    /// <summary>
    /// Explains already-extracted chunks, a batch of chunks at a time, so that memory follows the song's length
    /// through its spectrogram only (all chunks in one pass took 7.5 GB and 280 s for an hour of audio with the
    /// compact network). The genre to explain is the mean of all chunks' probabilities, known only after the last
    /// batch, so each batch keeps every genre's map at the last block's small resolution (differentiating the
    /// dense head once per genre is cheap; the convolutions run once, without gradients), and the maps of the
    /// chosen genre are then upsampled and laid on the song's time axis.
    /// </summary>
    public Explanation Explain(string file, IReadOnlyList<FeatureChunk> chunks, double seconds, string? genre = null)
    {
        var config = predictor.Model.Config;
        var genres = config.Genres;
        int target = -1;
        if (genre is not null && (target = genres.ToList().IndexOf(genre)) < 0)
            throw new GenreException($"genre '{genre}' is not one of the model's ({string.Join(", ", genres)})");
        var f = config.Features;
        int h = f.InputHeight, w = f.InputWidth, n = chunks.Count, k = genres.Count;
        var probs = new float[n * k];
        var maps = new List<SmallMaps>();
        for (int start = 0; start < n; start += Predictor.BatchChunks)
        {
            var batch = chunks.Skip(start).Take(Predictor.BatchChunks).ToList();
            var (p, batchMaps) = predictor.WithNetwork(net => GradCam(net, predictor.Input(batch), target < 0 ? Enumerable.Range(0, k) : [target]));
            p.CopyTo(probs, start * k);
            maps.Add(batchMaps);
        }
        var prediction = predictor.Summarise(file, chunks, seconds, probs);
        if (target < 0) target = genres.ToList().IndexOf(prediction.Genre); // what predict says, ties included
        var heat = new HeatCanvas(SpectrogramImage.Lefts(chunks, f), f);
        int chunk = 0;
        foreach (var batchMaps in maps)
        {
            var shares = batchMaps.Shares(target, h, w);
            for (int c = 0; c < batchMaps.Chunks; c++, chunk++)
                heat.Add(chunk, shares.AsSpan(c * h * w, h * w), probs[chunk * k + target]);
        }
        var (image, _) = SpectrogramImage.Stitch(chunks, f);
        // The last chunk may be padded: keep only the columns the song covers.
        double secondsPerColumn = SpectrogramImage.SecondsPerColumn(f);
        int kept = Math.Clamp((int)Math.Ceiling(seconds / secondsPerColumn), 1, heat.Columns);
        return new Explanation(prediction, genres[target], prediction.Probabilities[genres[target]],
            Crop(heat.Average(), h, heat.Columns, kept), Crop(image, h, heat.Columns, kept), h, kept, secondsPerColumn);
    }

    /// <summary>One batch's probabilities (chunk after chunk) and its Grad-CAM maps, at the last block's resolution, for
    /// each of <paramref name="genres"/>: the block's activation maps weighted by the mean gradient of the genre's logit
    /// over each map, summed and clipped at zero.</summary>
    static (float[] Probabilities, SmallMaps Maps) GradCam(Model.GenreNet net, Tensor input, IEnumerable<int> genres)
    {
        using var scope = NewDisposeScope();
        Tensor activations;
        using (no_grad()) activations = net.ConvFeatures(input);
        activations = activations.detach().requires_grad_(true);
        using var _ = enable_grad();
        var logits = net.Head(activations);
        var probabilities = nn.functional.softmax(logits.detach(), 1).data<float>().ToArray();
        var wanted = genres.ToList();
        var maps = new Dictionary<int, float[]>();
        foreach (int g in wanted)
        {
            var gradients = autograd.grad([logits.select(1, g).sum()], [activations], retain_graph: g != wanted[^1])[0];
            var weights = gradients.mean([2, 3], keepdim: true);
            maps[g] = nn.functional.relu((weights * activations).sum(1)).detach().data<float>().ToArray();
        }
        return (probabilities, new SmallMaps(maps, (int)input.shape[0], (int)activations.shape[2], (int)activations.shape[3]));
    }

    /// <summary>A batch's Grad-CAM maps per genre at the last block's resolution (chunk after chunk, Height x Width each).</summary>
    sealed record SmallMaps(Dictionary<int, float[]> ByGenre, int Chunks, int Height, int Width)
    {
        /// <summary>The genre's maps upsampled to the chunk images, each as shares of 1 over its pixels (chunk after chunk).</summary>
        public float[] Shares(int genre, int h, int w)
        {
            using var scope = NewDisposeScope();
            var cam = tensor(ByGenre[genre], [Chunks, 1, Height, Width]);
            var up = nn.functional.interpolate(cam, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            var total = up.sum([2, 3], keepdim: true);
            var share = where(total > 0, up / total.clamp_min(1e-30), full_like(up, 1.0 / (h * w))); // a blank map spreads evenly
            return share.data<float>().ToArray();
        }
    }

    /// <summary>Chunk maps (H x W, row 0 = top of the tensor = lowest mel band, as the features) laid on the song's time
    /// axis as they come: rows x columns with row 0 the lowest band; overlapping chunks are averaged.</summary>
    sealed class HeatCanvas
    {
        readonly int _h, _w;
        readonly int[] _lefts;
        readonly float[] _sum;
        readonly int[] _count;

        public int Columns { get; }

        public HeatCanvas(int[] lefts, FeatureSettings f)
        {
            (_h, _w, _lefts) = (f.InputHeight, f.InputWidth, lefts);
            Columns = SpectrogramImage.Columns(lefts, f);
            _sum = new float[_h * Columns];
            _count = new int[Columns];
        }

        /// <summary>Adds chunk <paramref name="index"/>'s map, each pixel's share scaled by the chunk's probability of the genre.</summary>
        public void Add(int index, ReadOnlySpan<float> shares, float probability)
        {
            int left = _lefts[index];
            for (int x = 0; x < _w; x++) _count[left + x]++;
            for (int y = 0; y < _h; y++)
                for (int x = 0; x < _w; x++) _sum[y * Columns + left + x] += shares[y * _w + x] * probability;
        }

        /// <summary>The averaged map (the canvas's own array, divided in place).</summary>
        public float[] Average()
        {
            for (int y = 0; y < _h; y++)
                for (int x = 0; x < Columns; x++) _sum[y * Columns + x] /= _count[x];
            return _sum;
        }
    }

    static float[] Crop(float[] values, int rows, int columns, int kept)
    {
        if (kept == columns) return values;
        var cropped = new float[rows * kept];
        for (int y = 0; y < rows; y++) values.AsSpan(y * columns, kept).CopyTo(cropped.AsSpan(y * kept, kept));
        return cropped;
    }
}
