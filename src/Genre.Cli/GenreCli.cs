using System.CommandLine;
using Genre.Cli.Commands;

namespace Genre.Cli;

/// <summary>The `genre` command tree: thin shells over the library, one file per command.</summary>
public static class GenreCli
{
    public static RootCommand Build() => new("genre: music genre classification with mel spectrograms and a CNN (TorchSharp)")
    {
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
}
