using System.CommandLine;
using Genre.Cli;
using Genre.Cli.Commands;

var root = new RootCommand("genre: music genre classification with mel spectrograms and a CNN (TorchSharp)")
{
    DemoCommand.Create(),
    SynthCommand.Create(),
    FeaturesCommand.Create(),
    PrepareCommand.Create(),
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    SummaryCommand.Create(),
};
return Runner.Run(root, args);
