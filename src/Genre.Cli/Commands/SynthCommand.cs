using System.CommandLine;
using Genre.Data;

namespace Genre.Cli.Commands;

public static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write (one sub-folder per genre)", Required = true };
        var genres = new Option<int>("--genres") { Description = $"Number of genres, 2..{Synth.AllGenres.Count}", DefaultValueFactory = _ => 6 };
        var clips = new Option<int>("--clips") { Description = "Clips per genre", DefaultValueFactory = _ => 20 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each clip in seconds", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same files)", DefaultValueFactory = _ => 1 };
        var hard = new Option<bool>("--hard")
        {
            Description = "The hard set: shared tempos, borrowed timbres, another genre under every clip and over one section of it, noise",
        };
        var cmd = new Command("synth", "Write a GTZAN-shaped synthetic data set (30-s 22050 Hz mono WAV clips, one folder per genre)")
            { output, genres, clips, seconds, seed, hard };
        cmd.SetAction(r =>
        {
            var o = new Synth.Options(r.GetValue(output)!, r.GetValue(genres), r.GetValue(clips), r.GetValue(seconds), Seed: r.GetValue(seed), Hard: r.GetValue(hard));
            Run(o);
            return ExitCode.Ok;
        });
        return cmd;
    }

    public static void Run(Synth.Options o)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Ui.WithProgress(bar =>
        {
            Synth.Generate(o, bar("synthesising clips", o.Genres * o.ClipsPerGenre), Interrupt.Token);
            return 0;
        });
        Ui.Info($"wrote {o.Genres * o.ClipsPerGenre} {(o.Hard ? "hard " : "")}clips of {o.Seconds:0.#} s in {o.Genres} genres ({string.Join(", ", Synth.AllGenres.Take(o.Genres))}) to {o.OutDir} in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
