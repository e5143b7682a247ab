using System.CommandLine;
using Genre.Model;

namespace Genre.Cli.Commands;

public static class SummaryCommand
{
    public static Command Create()
    {
        var arch = new Option<string?>("--arch") { Description = "Network to describe: seed or compact (default seed)" };
        var model = SharedOptions.Model(required: false);
        var genres = new Option<int>("--genres") { Description = "Number of genres (output units) for --arch", DefaultValueFactory = _ => 10 };
        var cmd = new Command("summary", "Print a Keras-style table of the network: layers, output shapes, parameters") { arch, model, genres };
        cmd.SetAction(r =>
        {
            string? modelDir = r.GetValue(model);
            if (modelDir is not null && r.GetValue(arch) is not null) throw new UsageException("give --arch or --model, not both");
            var architecture = modelDir is not null
                ? ModelConfig.Load(Path.Combine(modelDir, ModelStore.ConfigFile)).BuildArchitecture()
                : Architecture.Create(r.GetValue(arch) ?? "seed", r.GetValue(genres));
            Console.Out.Write(ModelSummary.Render(architecture));
            return ExitCode.Ok;
        });
        return cmd;
    }
}
