using System.CommandLine;
using Genre.Interop;
using Genre.Model;

namespace Genre.Cli.Commands;

public static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var output = new Option<string>("--out") { Description = "The .onnx file to write", Required = true };
        var cmd = new Command("export-onnx", "Write a model folder's network as an ONNX graph (opset 17), genres and feature settings in its metadata") { model, output };
        cmd.SetAction(r =>
        {
            string modelDir = r.GetValue(model)!, path = r.GetValue(output)!;
            using var trained = ModelStore.Load(modelDir);
            OnnxExport.Save(trained, path);
            var arch = trained.Network.Architecture;
            Console.Out.WriteLine($"{modelDir} -> {path}: ONNX opset {OnnxExport.Opset}, '{arch.Name}' network ({arch.TotalParameters:N0} parameters), " +
                $"{new FileInfo(path).Length / 1e6:F1} MB");
            Console.Out.WriteLine($"input '{OnnxExport.InputName}' (batch, 1, {arch.InputHeight}, {arch.InputWidth}): {InputDescription.Of(trained.Config)}");
            Console.Out.WriteLine($"output '{OnnxExport.OutputName}' (batch, {arch.Classes}): {string.Join(", ", trained.Config.Genres)}");
            return ExitCode.Ok;
        });
        return cmd;
    }
}
