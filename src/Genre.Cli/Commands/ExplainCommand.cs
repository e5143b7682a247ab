using System.CommandLine;
using System.Diagnostics;
using Genre.Explanation;
using Genre.Prediction;
using Genre.Reports;
using Spectre.Console;

namespace Genre.Cli.Commands;

public static class ExplainCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var song = new Argument<string>("SONG") { Description = "Audio file to explain (WAV, AU, MP3, OGG; others through ffmpeg)" };
        var output = new Option<string>("--out") { Description = "PNG to write: the song's mel spectrogram with the heat map of what drove the genre", Required = true };
        var genre = new Option<string?>("--genre") { Description = "Genre to explain (default: the predicted one)" };
        var minConfidence = SharedOptions.MinConfidence();
        var precision = SharedOptions.Precision();
        var cmd = new Command("explain", "Why this genre? A heat map over the song's spectrogram of what drove the network (Grad-CAM)")
            { model, song, output, genre, minConfidence, precision };
        cmd.SetAction(r =>
        {
            Run(r.GetValue(model)!, r.GetValue(song)!, r.GetValue(output)!, r.GetValue(genre), SharedOptions.Checked(r.GetValue(minConfidence)),
                r.GetValue(precision)!);
            return ExitCode.Ok;
        });
        return cmd;
    }

    public static Explanation.Explanation Run(string modelDir, string song, string outPath, string? genre, double minConfidence, string precision)
    {
        if (!File.Exists(song)) throw new GenreException($"{song}: no such file");
        if (!outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out {outPath}: give a .png file");
        using var model = PredictCommand.LoadModel(modelDir, precision);
        if (genre is not null && !model.Config.Genres.Contains(genre))
            throw new UsageException($"--genre {genre}: the model knows {string.Join(", ", model.Config.Genres)}");
        var clock = Stopwatch.StartNew();
        var explanation = new Explainer(new Predictor(model, minConfidence: minConfidence)).Explain(song, genre, Interrupt.Token);
        ExplanationImage.Save(explanation, model.Config.Features, outPath);
        var p = explanation.Prediction;
        var (start, end, share) = explanation.StrongestSpan();
        string trust = p.Confidence is { } c ? $", {c.Verdict}" : "";
        string what = explanation.Genre != p.Genre ? $" (predicted: {p.Genre} {p.Probability * 100:F1}%{trust})" : trust;
        Ui.Out.WriteLine($"{song}: {explanation.Genre} {explanation.Probability * 100:F1}%{what}; most evidence at {start:F1}-{end:F1} s " +
            $"({share * 100:F0}% of the heat) -> {outPath}");
        Ui.Info($"explained {p.Chunks} chunks ({p.Seconds:F1} s of audio) with Grad-CAM in {clock.Elapsed.TotalSeconds:F2} s");
        return explanation;
    }
}
