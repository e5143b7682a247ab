using System.Buffers.Binary;

namespace Genre.Audio;

/// <summary>
/// Sun AU / NeXT .snd reader (GTZAN's original files): big-endian linear PCM 8/16/24/32, float 32/64,
/// mu-law and A-law. Never seeks, so it reads pipes too.
/// </summary>
public static class AuDecoder
{
    const uint Magic = 0x2e736e64; // ".snd"
    const int MaxHeaderBytes = 1 << 20;

    public static bool LooksLikeAu(ReadOnlySpan<byte> head) => head.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(head) == Magic;

    public static AudioStream Open(Stream stream, string source)
    {
        Span<byte> h = stackalloc byte[24];
        if (stream.ReadAtLeast(h, 24, throwOnEndOfStream: false) < 24 || !LooksLikeAu(h))
            throw new AudioFormatException($"{source}: not a Sun AU file (no .snd header, or truncated header)");
        uint offset = BinaryPrimitives.ReadUInt32BigEndian(h[4..]);
        uint size = BinaryPrimitives.ReadUInt32BigEndian(h[8..]);
        uint code = BinaryPrimitives.ReadUInt32BigEndian(h[12..]);
        uint rate = BinaryPrimitives.ReadUInt32BigEndian(h[16..]);
        uint channels = BinaryPrimitives.ReadUInt32BigEndian(h[20..]);
        if (offset < 24 || offset > MaxHeaderBytes)
            throw new AudioFormatException($"{source}: AU data offset {offset} is outside 24..{MaxHeaderBytes} (corrupt header)");
        (SampleEncoding enc, int bits) = code switch
        {
            1 => (SampleEncoding.MuLaw, 8),
            2 => (SampleEncoding.SignedInt, 8),
            3 => (SampleEncoding.SignedInt, 16),
            4 => (SampleEncoding.SignedInt, 24),
            5 => (SampleEncoding.SignedInt, 32),
            6 => (SampleEncoding.Float, 32),
            7 => (SampleEncoding.Float, 64),
            27 => (SampleEncoding.ALaw, 8),
            _ => throw new AudioFormatException($"{source}: AU encoding {code} is not supported; convert to 16-bit PCM"),
        };
        var format = new PcmFormat(enc, bits, (int)Math.Min(channels, int.MaxValue), (int)Math.Min(rate, int.MaxValue), BigEndian: true);
        format.Validate(source);
        // Skip the annotation in small reads, so that a huge offset in a tiny file allocates nothing.
        Span<byte> scratch = stackalloc byte[512];
        for (int skip = (int)offset - 24; skip > 0;)
        {
            int n = stream.Read(scratch[..Math.Min(skip, scratch.Length)]);
            if (n == 0) throw new AudioFormatException($"{source}: AU file ends inside its header (truncated)");
            skip -= n;
        }
        return new PcmAudioStream(stream, format, size == uint.MaxValue ? -1 : size);
    }

    /// <summary>Writes an AU file (for tests and for GTZAN-shaped data).</summary>
    public static void Write(Stream output, ReadOnlySpan<float> interleaved, int channels, int sampleRate, SampleEncoding encoding, int bitsPerSample)
    {
        uint code = (encoding, bitsPerSample) switch
        {
            (SampleEncoding.MuLaw, _) => 1, (SampleEncoding.ALaw, _) => 27,
            (SampleEncoding.Float, 32) => 6, (SampleEncoding.Float, 64) => 7,
            (SampleEncoding.SignedInt, 8) => 2, (SampleEncoding.SignedInt, 16) => 3,
            (SampleEncoding.SignedInt, 24) => 4, (SampleEncoding.SignedInt, 32) => 5,
            _ => throw new ArgumentException($"AU cannot store {bitsPerSample}-bit {encoding}"),
        };
        var format = new PcmFormat(encoding, bitsPerSample, channels, sampleRate, BigEndian: true);
        Span<byte> h = stackalloc byte[32];
        BinaryPrimitives.WriteUInt32BigEndian(h, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(h[4..], 32);
        BinaryPrimitives.WriteUInt32BigEndian(h[8..], (uint)(interleaved.Length * format.BytesPerSample));
        BinaryPrimitives.WriteUInt32BigEndian(h[12..], code);
        BinaryPrimitives.WriteUInt32BigEndian(h[16..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32BigEndian(h[20..], (uint)channels);
        output.Write(h); // 8 bytes of empty annotation follow the 24-byte header
        Span<byte> s = stackalloc byte[8];
        foreach (float x in interleaved)
        {
            PcmEncoder.Encode(x, format, s);
            output.Write(s[..format.BytesPerSample]);
        }
    }
}
