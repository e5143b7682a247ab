using System.CommandLine;
using System.Diagnostics;
using Genre.Data;
using Genre.Features;
using Genre.Training;
using Spectre.Console;

namespace Genre.Cli.Commands;

/// <summary>The main job on built-in data: synthesise, prepare, train with the default recipe, evaluate, plot, predict.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Working folder (data/, cache/, model/)", DefaultValueFactory = _ => "demo" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => DefaultEpochs };
        var clips = new Option<int>("--clips") { Description = "Clips per genre", DefaultValueFactory = _ => 20 };
        var precision = SharedOptions.Precision();
        var cmd = new Command("demo", "Run the whole job on a synthetic data set: synth, prepare, train (default recipe), evaluate, plot, predict") { output, epochs, clips, precision };
        cmd.SetAction(r => Run(r.GetValue(output)!, r.GetValue(epochs), r.GetValue(clips), r.GetValue(precision)!));
        return cmd;
    }

    /// <summary>The synthetic textures are easy: a few epochs of the default recipe reach them (README, the demo).</summary>
    const int DefaultEpochs = 6;

    static int Run(string dir, int epochs, int clips, string precision)
    {
        var clock = Stopwatch.StartNew();
        string data = Path.Combine(dir, "data"), cache = Path.Combine(dir, "cache"), model = Path.Combine(dir, "model");
        Step(1, "synthesise a GTZAN-shaped data set");
        SynthCommand.Run(new Synth.Options(data, Genres: 6, ClipsPerGenre: clips, Seconds: 30, Seed: 1));
        Step(2, "compute mel-spectrogram features");
        var recipe = Recipes.Default;
        PrepareCommand.Run(data, cache, recipe.Features);
        Step(3, $"train with the {recipe.Name} recipe (split by song)");
        var set = DataLoading.Load(null, cache, recipe.Features);
        if (Directory.Exists(model)) Directory.Delete(model, recursive: true);
        var options = recipe.Training.WithEpochs(epochs) with { Precision = SharedOptions.ResolvePrecision(precision) };
        var result = TrainCommand.Run(set, options, model, resume: false, epochsOverride: null);
        if (result.Stopped) return ExitCode.Interrupted;
        Step(4, "evaluate");
        EvaluateCommand.Run(model, null, cache, Path.Combine(model, "evaluation.json"), precision);
        Step(5, "predict a song it has never heard");
        string song = Path.Combine(dir, "new-song-jazz.wav");
        var samples = Synth.Clip("jazz", 30, 22050, seed: 20261127);
        Reports.AtomicFile.Write(song, s => Audio.WavDecoder.Write(s, samples, 1, 22050));
        int code = PredictCommand.Run(model, [song], 3, "table", timeline: false, precision);
        Ui.Info($"demo finished in {clock.Elapsed.TotalSeconds:F0} s; the model is in {model} (try ./genre predict --model {model} YOUR_SONG.mp3)");
        return code;
    }

    static void Step(int n, string what) => Ui.Err.MarkupLine($"\n[bold]== {n}/5 {what}[/]");
}
