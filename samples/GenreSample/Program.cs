// Classifies songs with a trained model: `dotnet run -- MODEL_DIR SONG...` (a model from `genre train` or `genre demo`).
// Several songs are classified at once, from several threads: one GenreModel serves them all.
using Genre;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: GenreSample MODEL_DIR SONG...");
    return 2;
}
try
{
    using var model = GenreModel.Load(args[0]);
    Console.WriteLine($"{args[0]}: {model.Genres.Count} genres ({string.Join(", ", model.Genres)})");
    var predictions = await Task.WhenAll(args[1..].Select(song => model.PredictAsync(song)));
    foreach (var p in predictions)
        Console.WriteLine($"{p.File}: {p.Genre} {p.Probability:P1} ({(p.Confidence.Confident ? "confident" : "uncertain")}, {p.Timeline.Count} chunks)");
    return 0;
}
catch (GenreException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
