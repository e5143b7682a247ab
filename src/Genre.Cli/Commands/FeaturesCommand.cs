using System.CommandLine;
using Genre.Features;

namespace Genre.Cli.Commands;

public static class FeaturesCommand
{
    public static Command Create()
    {
        var audio = new Argument<string>("AUDIO") { Description = "Audio file (WAV, AU, MP3, OGG; others through ffmpeg)" };
        var output = new Option<string>("--out")
        {
            Description = "NumPy .npy file to write: float32 (chunks, 128, 87) windows (default), (chunks, 150, 150) with --recipe tutorial, " +
                "or (chunks, 128, frames) with --raw",
            Required = true,
        };
        var raw = new Option<bool>("--raw") { Description = "Chunk layout: skip the resize and write the mel spectrograms as computed" };
        var features = new FeatureOptions();
        var cmd = new Command("features", "Write the network input images of one audio file as a .npy") { audio, output, raw };
        features.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var settings = features.Features(r);
            var extractor = new FeatureExtractor(settings, resize: !r.GetValue(raw));
            string path = r.GetValue(audio)!;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var images = extractor.ExtractFile(path, Interrupt.Token).Select(c => c.Image).ToList();
            string outPath = r.GetValue(output)!;
            Reports.AtomicFileNpy.Write(outPath, images, extractor.ImageHeight, extractor.ImageWidth);
            Ui.Info($"{path}: {(double)extractor.SamplesRead / settings.SampleRate:F2} s -> {images.Count} chunks of {extractor.ImageHeight}x{extractor.ImageWidth} ({settings.Scale.ToString().ToLowerInvariant()}) in {clock.Elapsed.TotalMilliseconds:F0} ms -> {outPath}");
            return ExitCode.Ok;
        });
        return cmd;
    }
}
