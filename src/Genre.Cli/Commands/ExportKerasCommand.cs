using System.CommandLine;
using Genre.Interop;

namespace Genre.Cli.Commands;

public static class ExportKerasCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var output = new Option<string>("--out") { Description = "The .h5 file to write (tf.keras.models.load_model opens it)", Required = true };
        var cmd = new Command("export-keras", "Write a model folder's network as a Keras 2 .h5 model") { model, output };
        cmd.SetAction(r =>
        {
            string modelDir = r.GetValue(model)!, path = r.GetValue(output)!;
            var result = KerasHdf5.Export(modelDir, path);
            Console.Out.WriteLine($"{modelDir} -> {path}: Keras {KerasModelConfig.KerasVersion} Sequential '{result.Architecture.Name}' " +
                $"({result.WeightedLayers} weighted layers, {result.Parameters:N0} parameters, input (None, {result.Architecture.InputHeight}, {result.Architecture.InputWidth}, 1), softmax output), " +
                $"{new FileInfo(path).Length / 1e6:F1} MB");
            Console.Out.WriteLine($"outputs in order: {string.Join(", ", result.Config.Genres)}; input: {InputDescription.Of(result.Config)}");
            return ExitCode.Ok;
        });
        return cmd;
    }
}
