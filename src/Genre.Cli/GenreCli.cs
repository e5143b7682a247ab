using System.CommandLine;
using Genre.Cli.Commands;

namespace Genre.Cli;

/// <summary>The `genre` command tree: thin shells over the library, one file per command.</summary>
public static class GenreCli
{
    /// <summary>One example line per command, shown under its --help description.</summary>
    static readonly Dictionary<string, string> Examples = new()
    {
        ["demo"] = "genre demo --out demo",
        ["synth"] = "genre synth --out data --hard",
        ["features"] = "genre features song.mp3 --out song.npy",
        ["prepare"] = "genre prepare --data gtzan/genres --out cache",
        ["train"] = "genre train --cache cache --out model",
        ["cv"] = "genre cv --data music --folds 5 --out cv",
        ["evaluate"] = "genre evaluate --model model --cache cache --json evaluation.json",
        ["predict"] = "genre predict --model model song.mp3 ~/Music --top 3",
        ["explain"] = "genre explain --model model song.mp3 --out why.png",
        ["tag"] = "genre tag --model model ~/Music --dry-run",
        ["summary"] = "genre summary --model model",
        ["serve"] = "genre serve --model model --port 5000",
        ["import-keras"] = "genre import-keras Trained_model.h5 --out model",
        ["export-keras"] = "genre export-keras --model model --out model.h5",
        ["export-onnx"] = "genre export-onnx --model model --out model.onnx",
    };

    /// <summary>The tree under a root named "genre" (a RootCommand would be named after the executable, Genre.Cli), with
    /// --help on every command and --version (printed by <see cref="Runner"/>).</summary>
    public static Command Build()
    {
        var root = new Command("genre", "genre: music genre classification with mel spectrograms and a CNN (TorchSharp)")
        {
            new System.CommandLine.Help.HelpOption(),
            new Option<bool>("--version") { Description = "Print the version, the TorchSharp and libtorch versions and the precision auto picks here" },
            DemoCommand.Create(),
            SynthCommand.Create(),
            FeaturesCommand.Create(),
            PrepareCommand.Create(),
            TrainCommand.Create(),
            CvCommand.Create(),
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            ExplainCommand.Create(),
            TagCommand.Create(),
            SummaryCommand.Create(),
            ServeCommand.Create(),
            ImportKerasCommand.Create(),
            ExportKerasCommand.Create(),
            ExportOnnxCommand.Create(),
        };
        foreach (var command in root.Subcommands)
            if (Examples.TryGetValue(command.Name, out var example)) command.Description += $"\n\nExample:\n  {example}";
        return root;
    }

    /// <summary>What `genre --version` prints: the program, the engine under it, and the precision `auto` picks here.</summary>
    public static string Version()
    {
        Genre.Model.TorchRuntime.EnsureInitialized();
        var torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "?";
        var picked = Genre.Model.PrecisionChoice.Resolve("auto");
        return $"genre {Genre.Model.LibraryInfo.Version}\n" +
            $"TorchSharp {torchSharp}, libtorch {TorchSharp.torch.__version__} (CPU, {Genre.Model.TorchRuntime.Threads} threads)\n" +
            $"{Genre.Model.PrecisionChoice.Describe("auto", picked)}\n";
    }
}
