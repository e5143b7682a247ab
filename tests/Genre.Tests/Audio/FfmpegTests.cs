using Genre.Audio;

namespace Genre.Tests.Audio;

/// <summary>Compressed formats. CI installs ffmpeg (to make the files, and to decode FLAC); MP3 and Ogg decode without it.</summary>
public class CompressedFormatTests
{
    static void Ffmpeg(params string[] args) => FfmpegTool.Ffmpeg(args);

    static string Tone(TempDir dir, int rate, int channels)
    {
        var mono = Signals.Sine(1000, 2, rate, 0.5);
        var x = new float[mono.Length * channels];
        for (int i = 0; i < mono.Length; i++) for (int c = 0; c < channels; c++) x[i * channels + c] = mono[i];
        string path = dir.File("tone.wav");
        using var s = File.Create(path);
        WavDecoder.Write(s, x, channels, rate);
        return path;
    }

    static int PeakBinHz(float[] x, int rate)
    {
        // 1-Hz resolution DFT search near the expected tone is enough here
        return Enumerable.Range(900, 201).MaxBy(hz =>
        {
            double re = 0, im = 0;
            for (int i = 0; i < Math.Min(x.Length, rate); i++) { re += x[i] * Math.Cos(2 * Math.PI * hz * i / rate); im += x[i] * Math.Sin(2 * Math.PI * hz * i / rate); }
            return re * re + im * im;
        });
    }

    [Fact]
    public void Flac_through_ffmpeg_is_lossless()
    {
        using var dir = new TempDir();
        string wav = Tone(dir, 44100, 2);
        Ffmpeg("-i", wav, dir.File("tone.flac"));
        Assert.True(FfmpegDecoder.IsAvailable);
        var fromFlac = AudioReader.Load(dir.File("tone.flac"), 44100);
        var fromWav = AudioReader.Load(wav, 44100);
        Assert.Equal(fromWav, fromFlac);
    }

    [Fact]
    public void Mp3_decodes_with_the_managed_decoder()
    {
        using var dir = new TempDir();
        Ffmpeg("-i", Tone(dir, 44100, 2), "-b:a", "192k", dir.File("tone.mp3"));
        using (var s = AudioReader.OpenNative(dir.File("tone.mp3"))) Assert.IsType<Mp3AudioStream>(s);
        var x = AudioReader.Load(dir.File("tone.mp3"), 22050);
        Assert.InRange(x.Length, 22050 * 2 - 1200, 22050 * 2 + 2400); // encoder padding
        Assert.Equal(1000, PeakBinHz(x.Skip(4000).ToArray(), 22050));
    }

    [Fact]
    public void Real_ogg_resampled_and_through_the_whole_feature_pipeline()
    {
        var extractor = new Genre.Features.FeatureExtractor(Genre.Features.FeatureSettings.Default);
        var chunks = extractor.ExtractFile(RealAudio.Path("admiralbob77_-_Choice_-_Drum-bass.ogg")).ToList();
        Assert.True(chunks.Count >= 2);
        Assert.All(chunks, c => Assert.Equal(128 * 87, c.Image.Length)); // 2-s windows of native mel
        Assert.All(chunks, c => Assert.InRange(c.Image.Min(), -80f, -20f));
        Assert.All(chunks, c => Assert.Equal(0f, c.Image.Max())); // each window relative to its own maximum
    }
}
