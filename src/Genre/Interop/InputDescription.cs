using System.Globalization;
using Genre.Features;
using Genre.Model;

namespace Genre.Interop;

/// <summary>One line saying what a model's input is, for people who run the exported model elsewhere.</summary>
public static class InputDescription
{
    public static string Of(ModelConfig config)
    {
        var f = config.Features;
        var n = config.Normalization;
        string scale = f.Scale == MelScale.Db ? $"dB relative to each chunk's maximum, floor -{f.TopDb:G} dB" : "mel power";
        string norm = n.Offset == 0 && n.Scale == 1 ? "fed as is" : string.Create(CultureInfo.InvariantCulture, $"normalised as (x + {n.Offset:G}) * {n.Scale:G}");
        string size = f.IsNative ? $"{f.InputHeight}x{f.InputWidth} as computed" : $"resized to {f.ImageHeight}x{f.ImageWidth}";
        string layout = f.Layout == FeatureLayout.Song
            ? $"{f.ChunkSeconds:G}-s windows every {f.ChunkSeconds - f.OverlapSeconds:G} s of the whole song's mel spectrogram"
            : $"{f.ChunkSeconds:G}-s chunks";
        return string.Create(CultureInfo.InvariantCulture,
            $"{layout} at {f.SampleRate} Hz, {f.NMels} mel bands (n_fft {f.NFft}, hop {f.HopLength}), {scale}, {size} (rows: mel bands low to high), {norm}");
    }
}
