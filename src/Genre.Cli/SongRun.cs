using System.Collections.Concurrent;
using Genre.Data;
using Genre.Library;
using Genre.Prediction;

namespace Genre.Cli;

/// <summary>Classifies the songs of files and folders with a progress bar on standard error: discovery is lazy and
/// a bounded number of songs is decoded at a time (<see cref="PredictionPipeline"/>); the bar's total grows as names are found.</summary>
public static class SongRun
{
    /// <param name="skip">Given each file and its stamp (size and modification time before it is read); true leaves it out.</param>
    /// <param name="finished">Given each outcome with that stamp (null if the file vanished), one at a time.</param>
    /// <returns>How many audio files were found.</returns>
    public static int Classify(Predictor predictor, IReadOnlyList<string> paths, Func<string, FileStamp?, bool> skip,
        Action<SongOutcome, FileStamp?> finished, bool showProgress)
    {
        int found = 0, done = 0;
        var stamps = new ConcurrentDictionary<string, FileStamp?>(); // of the songs in flight
        Ui.WithProgress(bar =>
        {
            var progress = showProgress ? bar("classifying songs", 0) : null;
            PredictionPipeline.Run(predictor, DatasetScanner.AudioFiles(paths),
                skip: file => skip(file, stamps[file] = Stamp(file)),
                finished: outcome =>
                {
                    stamps.TryRemove(outcome.File, out var stamp);
                    finished(outcome, stamp);
                    progress?.Report(new SongProgress(++done, found, outcome.File, outcome.Skipped));
                },
                discovered: n => found = n, cancel: Interrupt.Token);
            return 0;
        });
        if (found == 0) throw new GenreException($"no audio files found in {string.Join(", ", paths)}");
        return found;
    }

    /// <summary>Refuses missing paths, and paths without audio, before any work (and before loading a model);
    /// discovery is lazy, so this stops at the first audio file.</summary>
    public static void CheckPaths(IReadOnlyList<string> paths)
    {
        foreach (var p in paths)
            if (!File.Exists(p) && !Directory.Exists(p)) throw new GenreException($"{p}: no such file or folder");
        if (!DatasetScanner.AudioFiles(paths).Any()) throw new GenreException($"no audio files found in {string.Join(", ", paths)}");
    }

    /// <summary>Size and modification time, or null for a file that vanished.</summary>
    public static FileStamp? Stamp(string file)
    {
        try { return FileStamp.Of(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>A bar for folders and file lists, not for one song.</summary>
    public static bool ManySongs(IReadOnlyList<string> paths) => paths.Count > 1 || paths.Any(Directory.Exists);
}
