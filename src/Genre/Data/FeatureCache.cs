using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Genre.Features;
using Genre.Reports;

namespace Genre.Data;

/// <summary>A song whose features could not be computed, and why.</summary>
public sealed record SongFailure(string Key, string Reason);

/// <summary>Progress of a data-set job: songs done of total, with the song that just finished.</summary>
public readonly record struct SongProgress(int Done, int Total, string Key, bool Skipped);

/// <summary>
/// The feature cache written by <c>genre prepare</c>: <c>index.json</c> (settings, genres, songs with
/// their size, time stamp and chunk count, failures) and one .npy per song under <c>features/</c>: the chunk
/// images (chunks, H, W) in the chunk layout, the song's dB mel spectrogram (bands, frames) in the song layout. Each file is written atomically; a re-run recomputes only songs whose
/// file changed, and an interrupted run keeps every song it finished.
/// </summary>
public static class FeatureCache
{
    public const string IndexFile = "index.json";
    public const int CurrentFormatVersion = 1;

    public sealed record CachedSong(string Key, string Genre, long Size, DateTime ModifiedUtc, int Chunks, string File);

    public sealed record Index
    {
        public int FormatVersion { get; init; } = CurrentFormatVersion;
        public required FeatureSettings Features { get; init; }
        public required IReadOnlyList<string> Genres { get; init; }
        public required string DataRoot { get; init; }
        public required IReadOnlyList<CachedSong> Songs { get; init; }
        public IReadOnlyList<SongFailure> Failures { get; init; } = [];
    }

    public sealed record PrepareResult(Index Index, int Computed, int Reused, TimeSpan Elapsed, double AudioSeconds);

    /// <summary>Computes the features of every song of <paramref name="dataset"/> into <paramref name="cacheDir"/>.</summary>
    public static PrepareResult Prepare(Dataset dataset, string cacheDir, FeatureSettings settings,
        IProgress<SongProgress>? progress = null, CancellationToken cancel = default, int? threads = null)
    {
        var clock = Stopwatch.StartNew();
        StorageErrors.CreateDirectory(cacheDir);
        var previous = TryLoadIndex(cacheDir);
        var reusable = previous is not null && previous.Features == settings
            ? previous.Songs.ToDictionary(s => s.Key)
            : new Dictionary<string, CachedSong>();

        var done = new ConcurrentDictionary<string, CachedSong>();
        var failures = new ConcurrentBag<SongFailure>();
        var todo = new List<Song>();
        foreach (var song in dataset.Songs)
        {
            if (reusable.TryGetValue(song.Key, out var c) && c.Size == song.Size && c.ModifiedUtc == song.ModifiedUtc
                && c.Genre == song.Genre && File.Exists(Path.Combine(cacheDir, c.File)))
                done[song.Key] = c;
            else todo.Add(song);
        }
        int reused = done.Count, finished = reused;
        progress?.Report(new SongProgress(finished, dataset.Songs.Count, "", Skipped: true));

        Index Snapshot() => new()
        {
            Features = settings, Genres = dataset.Genres, DataRoot = dataset.Root,
            Songs = dataset.Songs.Where(s => done.ContainsKey(s.Key)).Select(s => done[s.Key]).ToList(),
            Failures = failures.OrderBy(f => f.Key, StringComparer.Ordinal).ToList(),
        };

        double audioSeconds = 0;
        var lastSave = Stopwatch.StartNew();
        var saveGate = new object();
        Index? final = null;
        try
        {
            ParallelFeatures.ForEachSong(todo, settings, threads, cancel, (song, features, seconds) =>
            {
                string file = "features/" + song.Key + ".npy";
                string path = Path.Combine(cacheDir, file);
                if (features.Mel is { } mel)
                    AtomicFile.Write(path, s => { Npy.WriteHeader(s, [mel.Bands, mel.Frames]); Npy.WriteData(s, mel.Values); }, durable: false);
                else
                    AtomicFileNpy.Write(path, features.Images!, settings.InputHeight, settings.InputWidth, durable: false); // recomputable
                done[song.Key] = new CachedSong(song.Key, song.Genre, song.Size, song.ModifiedUtc, features.Chunks(settings), file);
                lock (saveGate)
                {
                    audioSeconds += seconds;
                    if (lastSave.Elapsed.TotalSeconds > 10) { SaveIndex(cacheDir, Snapshot()); lastSave.Restart(); }
                }
                progress?.Report(new SongProgress(Interlocked.Increment(ref finished), dataset.Songs.Count, song.Key, false));
            }, (song, reason) =>
            {
                failures.Add(new SongFailure(song.Key, reason));
                progress?.Report(new SongProgress(Interlocked.Increment(ref finished), dataset.Songs.Count, song.Key, false));
            });
        }
        finally
        {
            final = Snapshot();
            SaveIndex(cacheDir, final); // also on Ctrl+C: what finished is kept
        }
        return new PrepareResult(final, todo.Count - failures.Count, reused, clock.Elapsed, audioSeconds);
    }

    static readonly JsonSerializerOptions Json = Model.ModelConfig.Json;

    static void SaveIndex(string cacheDir, Index index) =>
        AtomicFile.WriteAllText(Path.Combine(cacheDir, IndexFile), JsonSerializer.Serialize(index, Json) + "\n");

    static Index? TryLoadIndex(string cacheDir)
    {
        try { return LoadIndex(cacheDir); }
        catch (GenreException) { return null; }
    }

    public static Index LoadIndex(string cacheDir)
    {
        string path = Path.Combine(cacheDir, IndexFile);
        if (!File.Exists(path)) throw new GenreException($"{cacheDir}: not a feature cache (no {IndexFile}; make one with ./genre prepare)");
        try
        {
            var index = JsonSerializer.Deserialize<Index>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            if (index.FormatVersion > CurrentFormatVersion)
                throw new GenreException($"{path}: cache format {index.FormatVersion} is newer than this program ({CurrentFormatVersion}); run ./genre prepare again");
            return index;
        }
        catch (JsonException e) { throw new GenreException($"{path}: corrupt cache index ({e.Message}); run ./genre prepare again"); }
    }

    /// <summary>Reads a whole cache into memory.</summary>
    public static FeatureSet Load(string cacheDir, IProgress<SongProgress>? progress = null)
    {
        var index = LoadIndex(cacheDir);
        var set = new FeatureSet(index.Features, index.Genres);
        int i = 0;
        var settings = index.Features;
        foreach (var song in index.Songs)
        {
            string path = Path.Combine(cacheDir, song.File);
            var (data, shape) = Npy.Read(path);
            int size = settings.InputSize;
            bool songLayout = settings.Layout == FeatureLayout.Song;
            if (songLayout ? shape.Length != 2 || shape[0] != settings.NMels || shape[1] < 1 : shape.Length != 3 || shape[1] * shape[2] != size)
                throw new GenreException($"{path}: shape ({string.Join(", ", shape)}) does not match the cache settings; run ./genre prepare again");
            int label = index.Genres.ToList().IndexOf(song.Genre);
            set.AddSong(song.Key, label, songLayout
                ? SongFeatures.Of(new SongMel(data, shape[0], shape[1]))
                : SongFeatures.Of(Enumerable.Range(0, shape[0]).Select(c => data.AsSpan(c * size, size).ToArray()).ToList()));
            progress?.Report(new SongProgress(++i, index.Songs.Count, song.Key, false));
        }
        return set;
    }
}

/// <summary>Computes features of many songs on all cores, a bounded number of songs in flight.</summary>
public static class ParallelFeatures
{
    /// <param name="onSong">Called with each song's features and its duration in seconds.</param>
    public static void ForEachSong(IEnumerable<Song> songs, FeatureSettings settings, int? threads, CancellationToken cancel,
        Action<Song, SongFeatures, double> onSong, Action<Song, string> onFailure)
    {
        using var extractors = new ThreadLocal<FeatureExtractor>(() => new FeatureExtractor(settings));
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount, CancellationToken = cancel };
        try
        {
            Parallel.ForEach(songs, options, song =>
            {
                SongFeatures features;
                var extractor = extractors.Value!;
                try
                {
                    features = settings.Layout == FeatureLayout.Song
                        ? SongFeatures.Of(extractor.ExtractSong(song.Path, cancel))
                        : SongFeatures.Of(extractor.ExtractFile(song.Path, cancel).Select(c => c.Image).ToList());
                }
                catch (GenreException e) { onFailure(song, e.Message); return; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or EndOfStreamException)
                {
                    onFailure(song, $"{song.Path}: {e.Message}");
                    return;
                }
                onSong(song, features, (double)extractor.SamplesRead / settings.SampleRate);
            });
        }
        catch (AggregateException e)
        {
            // one line for the user: the first real failure (a full disk while writing a song's features, say), not the bundle
            var failure = e.Flatten().InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException);
            if (failure is null) throw new OperationCanceledException(cancel);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Computes a feature set in memory (train/evaluate --data without a cache).</summary>
    public static (FeatureSet Set, IReadOnlyList<SongFailure> Failures) Compute(Dataset dataset, FeatureSettings settings,
        IProgress<SongProgress>? progress = null, CancellationToken cancel = default)
    {
        var results = new ConcurrentDictionary<string, SongFeatures>();
        var failures = new ConcurrentBag<SongFailure>();
        int done = 0;
        ForEachSong(dataset.Songs, settings, null, cancel,
            (song, features, _) => { results[song.Key] = features; progress?.Report(new SongProgress(Interlocked.Increment(ref done), dataset.Songs.Count, song.Key, false)); },
            (song, reason) => { failures.Add(new SongFailure(song.Key, reason)); progress?.Report(new SongProgress(Interlocked.Increment(ref done), dataset.Songs.Count, song.Key, false)); });
        var set = new FeatureSet(settings, dataset.Genres);
        foreach (var song in dataset.Songs)
            if (results.TryGetValue(song.Key, out var features)) set.AddSong(song.Key, dataset.Genres.ToList().IndexOf(song.Genre), features);
        return (set, failures.OrderBy(f => f.Key, StringComparer.Ordinal).ToList());
    }
}
