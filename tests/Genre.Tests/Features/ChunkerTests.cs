using Genre.Audio;
using Genre.Features;

namespace Genre.Tests.Features;

public class ChunkerTests
{
    const int Chunk = 88200, Hop = 44100;

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]             // shorter than a chunk: one padded chunk
    [InlineData(22050, 1)]
    [InlineData(88200, 1)]         // exactly one chunk
    [InlineData(88201, 2)]         // with 50 % overlap the last chunk always holds over half a chunk
    [InlineData(88200 + 44100, 2)]
    [InlineData(661500, 14)]       // 30.000 s GTZAN clip
    [InlineData(661794, 15)]       // 30.013 s GTZAN clip: last chunk holds 44394 real samples
    public void Count_follows_the_tutorial_formula_with_the_half_chunk_rule(long length, int expected) =>
        Assert.Equal(expected, Chunker.Count(length, Chunk, Hop));

    [Theory]
    [InlineData(5, 1)] // no overlap: a 1-sample trailing fragment (< half of 4) is dropped
    [InlineData(6, 2)] // a 2-sample fragment (= half) is kept and padded
    [InlineData(3, 1)] // shorter than one chunk: one padded chunk
    public void Trailing_fragment_shorter_than_half_a_chunk_is_dropped(long length, int expected) =>
        Assert.Equal(expected, Chunker.Count(length, 4, 4));

    [Fact]
    public void Split_zero_pads_the_last_chunk()
    {
        var signal = Enumerable.Range(1, 10).Select(i => (float)i).ToArray();
        var chunks = Chunker.Split(signal, 4, 2);
        Assert.Equal(4, chunks.Length); // ceil((10-4)/2)+1 = 4; last holds 4 real samples
        Assert.Equal(new float[] { 1, 2, 3, 4 }, chunks[0]);
        Assert.Equal(new float[] { 3, 4, 5, 6 }, chunks[1]);
        Assert.Equal(new float[] { 7, 8, 9, 10 }, chunks[3]);
        var odd = Chunker.Split(signal.AsSpan(0, 9), 4, 2);
        Assert.Equal(4, odd.Length); // last chunk: 7,8,9 (3 >= half of 4) + zero pad
        Assert.Equal(new float[] { 7, 8, 9, 0 }, odd[3]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(37)]
    public void Streaming_reader_gives_the_same_chunks_as_split(int length)
    {
        var signal = Enumerable.Range(1, length).Select(i => (float)i).ToArray();
        var expected = Chunker.Split(signal, 4, 2);
        var reader = new ChunkReader(new MemoryAudioStream(signal, 22050), 4, 2);
        var actual = new List<float[]>();
        var buffer = new float[4];
        while (reader.Next(buffer)) actual.Add((float[])buffer.Clone());
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }
}
