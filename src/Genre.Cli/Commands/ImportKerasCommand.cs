using System.CommandLine;
using Genre.Interop;
using Genre.Model;

namespace Genre.Cli.Commands;

public static class ImportKerasCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("MODEL.h5") { Description = "A Keras 2 HDF5 model file (model.save(\"Trained_model.h5\")) of the tutorial's network" };
        var output = new Option<string>("--out") { Description = "Model folder to create", Required = true };
        var history = new Option<string?>("--history") { Description = "The tutorial's training_hist.json (loss, accuracy, val_loss, val_accuracy per epoch)" };
        var genres = new Option<string?>("--genres") { Description = "Genres in the model's output order, comma-separated (default: GTZAN's ten, alphabetical)" };
        var cmd = new Command("import-keras", "Turn a Keras .h5 model of the tutorial into a model folder") { file, output, history, genres };
        cmd.SetAction(r =>
        {
            string h5 = r.GetValue(file)!, outDir = r.GetValue(output)!;
            var names = r.GetValue(genres)?.Split(',', StringSplitOptions.TrimEntries);
            var result = KerasHdf5.Import(h5, outDir, r.GetValue(history), names);
            string extra = result.HistoryEpochs > 0 ? $", {ModelStore.HistoryFile} ({result.HistoryEpochs} epochs), accuracy.png, loss.png" : "";
            Console.Out.WriteLine($"{h5}: Keras Sequential = '{result.Architecture.Name}' network ({result.WeightedLayers} weighted layers, {result.Parameters:N0} parameters), " +
                $"input {result.Architecture.InputHeight}x{result.Architecture.InputWidth} {result.Config.Features.Scale.ToString().ToLowerInvariant()} mel, {result.Config.Genres.Count} genres ({string.Join(", ", result.Config.Genres)})");
            Console.Out.WriteLine($"{outDir}: config.json, model.safetensors, split.json (empty: Keras' split is unknown){extra} written");
            return ExitCode.Ok;
        });
        return cmd;
    }
}
