using Genre.Audio;

namespace Genre.Fuzz;

/// <summary>
/// What one fuzz input goes through: the WAV decoder (from a seekable and from a non-seekable stream,
/// so both chunk-skipping paths run) and the AU decoder, each read to the end. Rejecting the input
/// with a <see cref="GenreException"/> is the expected outcome for garbage; any other exception escapes.
/// Shared by the AFL harness (Program.cs), the seeded mutator and tests/Genre.Tests/Audio/FuzzRegressionTests.cs.
/// </summary>
public static class FuzzTarget
{
    /// <summary>Allocation allowed for decoding an input of <paramref name="length"/> bytes all three ways:
    /// generous, but far below what a header-sized buffer (up to 4 GB) or a channels-times-request buffer would take.</summary>
    public static long MaxAllocatedBytes(long length) => (16L << 20) + 64 * length;

    /// <summary>Runs <paramref name="data"/> through <see cref="Run"/> and throws <see cref="FuzzFinding"/> when it
    /// allocated more than <see cref="MaxAllocatedBytes"/> (a memory blow-up from a header field).</summary>
    public static int Check(byte[] data, string target = "all")
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        int decoded = Run(data, target);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > MaxAllocatedBytes(data.Length))
            throw new FuzzFinding($"decoding {data.Length} bytes allocated {allocated:N0} bytes (limit {MaxAllocatedBytes(data.Length):N0})");
        return decoded;
    }

    public static readonly string[] Targets = ["all", "wav", "au"];

    /// <summary>Decodes <paramref name="data"/> with the decoders of <paramref name="target"/> (wav, au or all);
    /// returns how many of the attempts decoded.</summary>
    public static int Run(byte[] data, string target = "all")
    {
        int decoded = 0;
        if (target is "all" or "wav")
        {
            decoded += Decode(() => WavDecoder.Open(new MemoryStream(data, writable: false), "fuzz.wav"));
            decoded += Decode(() => WavDecoder.Open(new ForwardOnlyStream(data), "fuzz.wav"));
        }
        if (target is "all" or "au") decoded += Decode(() => AuDecoder.Open(new ForwardOnlyStream(data), "fuzz.au"));
        return decoded;
    }

    static int Decode(Func<AudioStream> open)
    {
        try
        {
            using var audio = open();
            audio.ReadToEnd(); // as AudioReader.Load does
            return 1;
        }
        catch (GenreException)
        {
            return 0;
        }
    }

    /// <summary>A pipe-like view of bytes: no seeking, no length (what ffmpeg's stdout looks like).</summary>
    sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        readonly MemoryStream _inner = new(data, writable: false);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A failure the harness itself detects (not an exception the decoders threw).</summary>
public sealed class FuzzFinding(string message) : Exception(message);
