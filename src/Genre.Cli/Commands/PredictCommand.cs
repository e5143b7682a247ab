using System.CommandLine;
using Genre.Interop;
using Genre.Library;
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
        format.OneOf("table", "json", "csv");
        var timeline = new Option<bool>("--timeline") { Description = "Also show the genre of every chunk with its time span" };
        var precision = SharedOptions.Precision();
        var results = new Option<string?>("--results") { Description = "Also append one line per song to FILE (JSON Lines, or CSV if it ends in .csv) as songs finish; a re-run skips songs already there for this model, unchanged", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "With --results: classify every song again and start FILE afresh" };
        var backend = SharedOptions.Backend();
        var minConfidence = SharedOptions.MinConfidence();
        var cmd = new Command("predict", "Tell the genre of songs or music folders") { model, paths, top, format, timeline, precision, results, force, backend, minConfidence };
        cmd.SetAction(r =>
        {
            int n = r.GetValue(top);
            if (n < 1) throw new UsageException($"--top {n} must be at least 1");
            if (r.GetValue(force) && r.GetValue(results) is null) throw new UsageException("--force needs --results FILE");
            return Run(r.GetValue(model)!, r.GetValue(paths)!, n, r.GetValue(format)!, r.GetValue(timeline), r.GetValue(precision)!, r.GetValue(results), r.GetValue(force),
                r.GetValue(backend), SharedOptions.Checked(r.GetValue(minConfidence)));
        });
        return cmd;
    }

    public static int Run(string modelDir, IReadOnlyList<string> paths, int top, string format, bool timeline, string precision,
        string? resultsFile = null, bool force = false, Backend backend = Backend.Torch, double minConfidence = Confidence.DefaultMinConfidence)
    {
        string enginePrecision = EnginePrecision(precision, backend);
        SongRun.CheckPaths(paths);
        using var model = LoadModel(modelDir, enginePrecision);
        using var results = resultsFile is null ? null : ResultsLog.Open(resultsFile, ModelFingerprint.Of(modelDir, model.Network.Precision.ToString()), model.Config.Genres, force, top);
        using var scorer = OnnxScorer.For(model, backend);
        var predictor = new Predictor(model, scorer, minConfidence);
        var writer = PredictionWriter.Create(format, Console.Out, model.Config.Genres, top, timeline);
        int failed = 0, skipped = 0;
        writer.Begin();
        // A progress bar on standard error for folders, unless results and bar would share one terminal.
        bool showProgress = SongRun.ManySongs(paths) && (Console.IsOutputRedirected || !Ui.Interactive);
        int found = SongRun.Classify(predictor, paths,
            skip: (file, stamp) => results is not null && stamp is not null && results.IsDone(file, stamp),
            finished: (outcome, stamp) =>
            {
                if (outcome.Skipped) { skipped++; return; }
                if (outcome.Prediction is { } prediction) writer.Song(prediction);
                else { writer.Failure(outcome.File, outcome.Error!); failed++; }
                Console.Out.Flush();
                if (results is null) return;
                if (outcome.Prediction is { } p && stamp is not null) results.Song(p, stamp);
                else results.Failure(outcome.File, outcome.Error ?? $"{outcome.File}: vanished while it was read", stamp);
            },
            showProgress);
        writer.End();
        if (results is not null)
            Ui.Info($"{results.Path}: {found - skipped} song(s) classified, {skipped} already there for this model and unchanged");
        if (failed > 0) Ui.Warn($"{failed} of {found} file(s) could not be classified");
        return failed > 0 ? ExitCode.SomeFilesFailed : ExitCode.Ok;
    }

    /// <summary>ONNX Runtime computes in fp32: --precision only chooses TorchSharp's arithmetic.</summary>
    public static string EnginePrecision(string precision, Backend backend)
    {
        if (backend == Backend.Torch) return precision;
        if (precision == "bf16") throw new UsageException("--precision bf16 applies to --backend torch; ONNX Runtime computes in fp32");
        return "fp32";
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
