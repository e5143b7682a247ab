using Genre.Audio;

namespace Genre.Tests.Audio;

public class DecoderTests
{
    static float[] Stereo(int frames)
    {
        var x = new float[frames * 2];
        for (int i = 0; i < frames; i++)
        {
            x[2 * i] = (float)(0.6 * Math.Sin(i * 0.05));
            x[2 * i + 1] = (float)(-0.3 * Math.Cos(i * 0.11));
        }
        return x;
    }

    static float[] MonoOf(float[] interleaved, int channels) =>
        Enumerable.Range(0, interleaved.Length / channels).Select(f => interleaved.Skip(f * channels).Take(channels).Average()).ToArray();

    public static TheoryData<SampleEncoding, int, double> WavFormats => new()
    {
        { SampleEncoding.UnsignedInt8, 8, 1.0 / 64 },
        { SampleEncoding.SignedInt, 16, 1.0 / 16000 },
        { SampleEncoding.SignedInt, 24, 1e-6 },
        { SampleEncoding.SignedInt, 32, 1e-7 },
        { SampleEncoding.Float, 32, 0 },
        { SampleEncoding.Float, 64, 1e-7 },
        { SampleEncoding.MuLaw, 8, 0.02 },
        { SampleEncoding.ALaw, 8, 0.02 },
    };

    [Theory]
    [MemberData(nameof(WavFormats))]
    public void Wav_every_sample_format_round_trips_and_averages_stereo(SampleEncoding encoding, int bits, double tolerance)
    {
        foreach (bool extensible in new[] { false, true })
        {
            var samples = Stereo(1001); // odd frame count: odd data size for 8-bit
            using var ms = new MemoryStream();
            WavDecoder.Write(ms, samples, 2, 44100, encoding, bits, extensible);
            ms.Position = 0;
            using var audio = WavDecoder.Open(ms, "test.wav");
            Assert.Equal(44100, audio.SampleRate);
            Assert.Equal(2, audio.Channels);
            var mono = audio.ReadToEnd();
            var expected = MonoOf(samples, 2);
            Assert.Equal(expected.Length, mono.Length);
            for (int i = 0; i < mono.Length; i++) Assert.True(Math.Abs(mono[i] - expected[i]) <= tolerance + 1e-7, $"sample {i}: {mono[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [InlineData(SampleEncoding.SignedInt, 8, 1.0 / 64)]
    [InlineData(SampleEncoding.SignedInt, 16, 1.0 / 16000)]
    [InlineData(SampleEncoding.SignedInt, 24, 1e-6)]
    [InlineData(SampleEncoding.SignedInt, 32, 1e-7)]
    [InlineData(SampleEncoding.Float, 32, 0)]
    [InlineData(SampleEncoding.Float, 64, 1e-7)]
    [InlineData(SampleEncoding.MuLaw, 8, 0.02)]
    [InlineData(SampleEncoding.ALaw, 8, 0.02)]
    public void Au_every_encoding_round_trips(SampleEncoding encoding, int bits, double tolerance)
    {
        var samples = Stereo(777);
        using var ms = new MemoryStream();
        AuDecoder.Write(ms, samples, 2, 22050, encoding, bits);
        ms.Position = 0;
        using var audio = AuDecoder.Open(ms, "test.au");
        Assert.Equal(22050, audio.SampleRate);
        var mono = audio.ReadToEnd();
        var expected = MonoOf(samples, 2);
        Assert.Equal(expected.Length, mono.Length);
        for (int i = 0; i < mono.Length; i++) Assert.True(Math.Abs(mono[i] - expected[i]) <= tolerance + 1e-7, $"sample {i}");
    }

    [Fact]
    public void Wav_with_six_channels_and_extra_chunks_reads()
    {
        var frames = 500;
        var x = new float[frames * 6];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 6) / 10f;
        using var ms = new MemoryStream();
        WavDecoder.Write(ms, x, 6, 48000);
        // insert a LIST chunk with an odd size before 'fmt ' data... simplest: append after header by rebuilding
        var bytes = ms.ToArray().ToList();
        var list = new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', 3, 0, 0, 0, 1, 2, 3, 0 };
        bytes.InsertRange(12, list);
        using var audio = WavDecoder.Open(new MemoryStream(bytes.ToArray()), "six.wav");
        var mono = audio.ReadToEnd();
        Assert.Equal(frames, mono.Length);
        Assert.All(mono, v => Assert.Equal(0.25f, v, 3));
    }

    [Fact]
    public void Truncated_data_keeps_whole_frames()
    {
        using var ms = new MemoryStream();
        WavDecoder.Write(ms, Stereo(100), 2, 22050);
        var bytes = ms.ToArray()[..^3]; // cut inside the last frame
        using var audio = WavDecoder.Open(new MemoryStream(bytes), "cut.wav");
        Assert.Equal(99, audio.ReadToEnd().Length);
    }

    [Theory]
    [InlineData(22, 0, 2, "channels")]            // 0 channels
    [InlineData(24, 0u, 4, "sample rate")]        // 0 Hz
    [InlineData(24, 10_000_000u, 4, "sample rate")]
    [InlineData(20, 2u, 2, "not supported")]      // ADPCM
    [InlineData(32, 3u, 2, "block alignment")]
    public void Absurd_header_values_are_refused_by_name(int offset, uint value, int width, string expected)
    {
        using var ms = new MemoryStream();
        WavDecoder.Write(ms, Stereo(10), 2, 22050);
        var bytes = ms.ToArray();
        if (width == 2) BitConverter.GetBytes((ushort)value).CopyTo(bytes, offset);
        else BitConverter.GetBytes(value).CopyTo(bytes, offset);
        var e = Assert.Throws<AudioFormatException>(() => WavDecoder.Open(new MemoryStream(bytes), "bad.wav").ReadToEnd());
        Assert.Contains("bad.wav", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Reader_refuses_text_named_wav_empty_files_and_folders()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.wav"), "this is not audio at all");
        File.WriteAllBytes(dir.File("empty.wav"), []);
        Directory.CreateDirectory(dir.File("folder.mp3"));
        Assert.Contains("not a WAV file", Assert.Throws<AudioFormatException>(() => AudioReader.OpenNative(dir.File("notes.wav"))).Message);
        Assert.Contains("empty", Assert.Throws<AudioFormatException>(() => AudioReader.OpenNative(dir.File("empty.wav"))).Message);
        Assert.Contains("folder", Assert.Throws<AudioFormatException>(() => AudioReader.OpenNative(dir.File("folder.mp3"))).Message);
        Assert.Contains("not found", Assert.Throws<AudioFormatException>(() => AudioReader.OpenNative(dir.File("missing.wav"))).Message);
    }

    [Fact]
    public void Real_ogg_vorbis_decodes_without_ffmpeg()
    {
        string ogg = RealAudio.Path("Kevin_MacLeod_-_Vibe_Ace.ogg");
        using var audio = AudioReader.OpenNative(ogg);
        Assert.IsType<VorbisAudioStream>(audio);
        Assert.Equal(22050, audio.SampleRate);
        var x = audio.ReadToEnd();
        Assert.True(x.Length > 22050 * 5);
        Assert.True(x.Max(Math.Abs) > 0.05f);
    }
}

static class RealAudio
{
    /// <summary>The shared real recordings beside the checkout (../shared/real-audio).</summary>
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "real-audio", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"shared/real-audio/{name} not found above {AppContext.BaseDirectory}");
    }
}
