using Genre.Audio;
using Genre.Features;

namespace Genre.Tests.Features;

public class SongWindowsTests
{
    static readonly FeatureSettings S = FeatureSettings.Default;

    /// <summary>A few tones and some noise, so every window has structure.</summary>
    static float[] Song(double seconds)
    {
        var rng = new Random(5);
        var x = new float[(int)Math.Round(seconds * S.SampleRate)];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (220 + 110 * (i / 30000)) * i / S.SampleRate) + 0.05 * (rng.NextDouble() - 0.5));
        return x;
    }

    static string Wav(TempDir dir, float[] samples)
    {
        string path = dir.File("song.wav");
        using (var f = File.Create(path)) WavDecoder.Write(f, samples, 1, S.SampleRate);
        return path;
    }

    [Fact]
    public void The_default_windows_are_two_seconds_of_native_mel_every_second()
    {
        Assert.Equal(FeatureLayout.Song, S.Layout);
        Assert.Equal((128, 87), (S.InputHeight, S.InputWidth));
        Assert.Equal(43, S.HopFrames);
        Assert.Equal(FeatureLayout.Chunks, FeatureSettings.Tutorial.Layout);
        Assert.Equal((150, 150), (FeatureSettings.Tutorial.InputHeight, FeatureSettings.Tutorial.InputWidth));
    }

    [Theory]
    [InlineData(50, 1, new[] { 0 })]                 // shorter than a window: one, padded
    [InlineData(87, 1, new[] { 0 })]
    [InlineData(108, 2, new[] { 0, 21 })]            // the last window moves back to end with the song
    [InlineData(130, 2, new[] { 0, 43 })]
    public void Grid_counts_by_the_chunking_rule_and_ends_with_the_song(int frames, int count, int[] starts)
    {
        Assert.Equal(count, SongWindows.Count(S, frames));
        Assert.Equal(starts, Enumerable.Range(0, count).Select(c => SongWindows.Start(S, frames, c)));
    }

    [Fact]
    public void A_gtzan_clip_has_thirty_windows_the_last_moved_back()
    {
        const int frames = 1293; // 661,794 samples: 1 + 661794 / 512
        Assert.Equal(30, SongWindows.Count(S, frames));
        var starts = Enumerable.Range(0, 30).Select(c => SongWindows.Start(S, frames, c)).ToArray();
        Assert.Equal(Enumerable.Range(0, 29).Select(c => c * 43), starts[..29]);
        Assert.Equal(frames - S.InputWidth, starts[29]);
    }

    [Fact]
    public void Streamed_frames_equal_the_mel_spectrogram_of_the_whole_song()
    {
        var signal = Song(3.3);
        var mel = new MelSpectrogram(S);
        int frames = mel.Frames(signal.Length);
        var whole = new float[S.NMels * frames];
        mel.Compute(signal, whole);
        Decibels.FromPower(whole);
        using var stream = new ArrayAudioStream(signal, S.SampleRate, blockSize: 777); // reads that do not line up with frames
        var frameStream = new MelFrameStream(stream, S, "test");
        var column = new float[S.NMels];
        int t = 0;
        while (frameStream.Next(column))
        {
            for (int b = 0; b < S.NMels; b++) Assert.Equal(whole[b * frames + t], column[b], 4);
            t++;
        }
        Assert.Equal(frames, t);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(2.5)]
    [InlineData(12.3)]
    public void Streamed_windows_equal_windows_cut_from_the_cached_song(double seconds)
    {
        using var dir = new TempDir();
        string path = Wav(dir, Song(seconds));
        var extractor = new FeatureExtractor(S);
        var streamed = extractor.ExtractFile(path).ToList();
        var song = extractor.ExtractSong(path);
        Assert.Equal(SongWindows.Count(S, song.Frames), streamed.Count);
        var image = new float[S.InputSize];
        for (int c = 0; c < streamed.Count; c++)
        {
            int start = SongWindows.Start(S, song.Frames, c);
            Assert.Equal(SongWindows.Seconds(S, start), streamed[c].StartSeconds, 9);
            SongWindows.Cut(S, song.Values, song.Frames, start, image);
            Assert.Equal(image, streamed[c].Image);
            Assert.Equal(0f, streamed[c].Image.Max());          // relative to the window's own maximum
            Assert.True(streamed[c].Image.Min() >= (float)-S.TopDb); // floored
        }
    }

    [Fact]
    public void A_short_song_is_padded_at_the_floor()
    {
        var mel = Enumerable.Range(0, S.NMels * 40).Select(i => (float)(i % 40) - 100).ToArray();
        var image = new float[S.InputSize];
        SongWindows.Cut(S, mel, 40, 0, image);
        for (int b = 0; b < S.NMels; b++)
        {
            Assert.Equal(0f, image[b * S.InputWidth + 39]);                     // the last real frame is the loudest
            Assert.Equal((float)-S.TopDb, image[b * S.InputWidth + 40]);        // padding sits at the floor
            Assert.Equal((float)-S.TopDb, image[b * S.InputWidth + S.InputWidth - 1]);
        }
    }

    [Fact]
    public void A_window_past_the_song_is_refused()
    {
        var mel = new float[S.NMels * 100];
        var image = new float[S.InputSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => SongWindows.Cut(S, mel, 100, 14, image));
        SongWindows.Cut(S, mel, 100, 13, image);
    }

    /// <summary>An in-memory audio stream that hands out at most blockSize samples per read.</summary>
    sealed class ArrayAudioStream(float[] samples, int rate, int blockSize) : AudioStream
    {
        int _position;
        public override int SampleRate => rate;
        public override int Channels => 1;
        public override int Read(Span<float> destination)
        {
            int n = Math.Min(Math.Min(blockSize, destination.Length), samples.Length - _position);
            samples.AsSpan(_position, n).CopyTo(destination);
            _position += n;
            return n;
        }
    }
}
