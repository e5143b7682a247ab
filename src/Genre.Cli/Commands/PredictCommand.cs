using System.CommandLine;
using Genre.Data;
using Genre.Model;
using Genre.Prediction;

namespace Genre.Cli.Commands;

public static class PredictCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var paths = new Argument<string[]>("PATH") { Description = "Audio files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "How many genres to list per song", DefaultValueFactory = _ => 3 };
        var format = new Option<string>("--format") { Description = "table (default), json (one object per line) or csv", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var timeline = new Option<bool>("--timeline") { Description = "Also show the genre of every chunk with its time span" };
        var precision = SharedOptions.Precision();
        var cmd = new Command("predict", "Tell the genre of songs or music folders") { model, paths, top, format, timeline, precision };
        cmd.SetAction(r =>
        {
            int n = r.GetValue(top);
            if (n < 1) throw new UsageException($"--top {n} must be at least 1");
            return Run(r.GetValue(model)!, r.GetValue(paths)!, n, r.GetValue(format)!, r.GetValue(timeline), r.GetValue(precision)!);
        });
        return cmd;
    }

    public static int Run(string modelDir, IReadOnlyList<string> paths, int top, string format, bool timeline, string precision)
    {
        foreach (var p in paths)
            if (!File.Exists(p) && !Directory.Exists(p)) throw new GenreException($"{p}: no such file or folder");
        if (!DatasetScanner.AudioFiles(paths).Any()) throw new GenreException($"no audio files found in {string.Join(", ", paths)}");
        using var model = LoadModel(modelDir, precision);
        var predictor = new Predictor(model);
        var writer = PredictionWriter.Create(format, Console.Out, model.Config.Genres, top, timeline);
        var files = DatasetScanner.AudioFiles(paths).ToList();
        if (files.Count == 0) throw new GenreException($"no audio files found in {string.Join(", ", paths)}");
        int failed = 0, done = 0;
        var gate = new object();
        writer.Begin();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = Interrupt.Token };
        // A progress bar on standard error for folders, unless results and bar would share one terminal.
        bool showProgress = files.Count > 1 && (Console.IsOutputRedirected || !Ui.Interactive);
        Ui.WithProgress(bar =>
        {
            var progress = showProgress ? bar("classifying songs", files.Count) : null;
            try
            {
                Parallel.ForEach(files, options, file =>
                {
                    SongPrediction? prediction = null;
                    string? error = null;
                    try { prediction = predictor.Predict(file, Interrupt.Token); }
                    catch (GenreException e) { error = e.Message; }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error = $"{file}: {e.Message}"; }
                    lock (gate)
                    {
                        if (prediction is not null) writer.Song(prediction);
                        else { writer.Failure(file, error!); failed++; }
                        Console.Out.Flush();
                        progress?.Report(new SongProgress(++done, files.Count, file, false));
                    }
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { throw new OperationCanceledException(); }
            return 0;
        });
        writer.End();
        if (failed > 0) Ui.Warn($"{failed} of {files.Count} file(s) could not be classified");
        return failed > 0 ? ExitCode.SomeFilesFailed : ExitCode.Ok;
    }

    /// <param name="precision">The --precision choice: auto, fp32 or bf16.</param>
    public static TrainedModel LoadModel(string modelDir, string precision)
    {
        if (!Directory.Exists(modelDir))
            throw new GenreException($"{modelDir}: no model there; make one with ./genre demo (a small model on synthetic data) or ./genre train --data DIR --out {modelDir}");
        var model = ModelStore.Load(modelDir, PrecisionChoice.Resolve(precision));
        Ui.Info(PrecisionChoice.Describe(precision, model.Network.Precision));
        return model;
    }
}
