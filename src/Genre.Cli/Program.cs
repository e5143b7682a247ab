using Genre.Cli;

return Runner.Run(GenreCli.Build(), args);
