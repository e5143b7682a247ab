using Genre.Data;
using Genre.Features;

namespace Genre.Cli;

/// <summary>Reads a labelled feature set from --cache, or computes it from --data (exactly one of them).</summary>
public static class DataLoading
{
    public static FeatureSet Load(string? dataDir, string? cacheDir, FeatureSettings settingsForData)
    {
        if ((dataDir is null) == (cacheDir is null)) throw new UsageException("give either --data DIR or --cache CACHE");
        if (cacheDir is not null)
        {
            var index = FeatureCache.LoadIndex(cacheDir);
            var set = Ui.WithProgress(bar => FeatureCache.Load(cacheDir, bar("loading feature cache", index.Songs.Count)));
            Ui.Info($"{cacheDir}: {set.Songs.Count} songs, {set.ChunkCount} chunks, {set.Genres.Count} genres");
            return set;
        }
        var dataset = DatasetScanner.Scan(dataDir!);
        Ui.Info($"{dataset.Root}: {dataset.Songs.Count} files in {dataset.Genres.Count} genres ({string.Join(", ", dataset.Genres)})");
        var (computed, failures) = Ui.WithProgress(bar =>
            ParallelFeatures.Compute(dataset, settingsForData, bar("computing features", dataset.Songs.Count), Interrupt.Token));
        Commands.PrepareCommand.ReportFailures(failures);
        if (computed.Songs.Count == 0) throw new GenreException($"{dataDir}: no file could be read");
        return computed;
    }
}
