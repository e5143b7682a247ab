using System.Buffers.Binary;

namespace Genre.Audio;

/// <summary>
/// RIFF/WAVE reader: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, mu-law and A-law,
/// any channel count. Works on pipes too (ffmpeg's WAV output has unknown sizes), so it never seeks.
/// </summary>
public static class WavDecoder
{
    const ushort FormatPcm = 1, FormatFloat = 3, FormatALaw = 6, FormatMuLaw = 7, FormatExtensible = 0xFFFE;
    const int MaxHeaderChunkBytes = 1 << 20;
    const int FmtBytesRead = 40; // WAVE_FORMAT_EXTENSIBLE, the longest 'fmt ' layout

    public static bool LooksLikeWav(ReadOnlySpan<byte> head) =>
        head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WAVE"u8);

    public static AudioStream Open(Stream stream, string source)
    {
        Span<byte> header = stackalloc byte[12];
        if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12 || !LooksLikeWav(header))
            throw new AudioFormatException($"{source}: not a WAV file (no RIFF/WAVE header)");

        PcmFormat? format = null;
        Span<byte> chunkHeader = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[FmtBytesRead];
        while (true)
        {
            if (stream.ReadAtLeast(chunkHeader, 8, throwOnEndOfStream: false) < 8)
                throw new AudioFormatException(format is null
                    ? $"{source}: WAV file ends before its 'fmt ' chunk (truncated header)"
                    : $"{source}: WAV file has no 'data' chunk (truncated or corrupt)");
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            var id = chunkHeader[..4];
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || size > MaxHeaderChunkBytes)
                    throw new AudioFormatException($"{source}: WAV 'fmt ' chunk of {size} bytes; expected 16 to 40 (corrupt header)");
                // Only the first 40 bytes mean anything; the rest is skipped, so no buffer is sized from the header.
                int keep = (int)Math.Min(size, FmtBytesRead);
                if (stream.ReadAtLeast(fmt[..keep], keep, throwOnEndOfStream: false) < keep)
                    throw new AudioFormatException($"{source}: WAV file ends inside its 'fmt ' chunk (truncated header)");
                Skip(stream, size + (size & 1) - keep, source);
                format = ParseFormat(fmt[..keep], source);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null) throw new AudioFormatException($"{source}: WAV 'data' chunk comes before 'fmt ' (corrupt header)");
                // 0 and 0xFFFFFFFF are what streaming writers leave when the size is unknown: read to the end.
                long dataBytes = size is 0 or uint.MaxValue ? -1 : size;
                return new PcmAudioStream(stream, format, dataBytes);
            }
            else Skip(stream, size + (size & 1), source);
        }
    }

    static PcmFormat ParseFormat(ReadOnlySpan<byte> fmt, string source)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        long rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            if (fmt.Length < 26) throw new AudioFormatException($"{source}: WAVE_FORMAT_EXTENSIBLE header too short (corrupt header)");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]); // first two bytes of the sub-format GUID
            int container = bits;
            if (container % 8 == 0 && channels > 0 && blockAlign == channels * container / 8) bits = container;
        }
        var encoding = tag switch
        {
            FormatPcm => bits == 8 ? SampleEncoding.UnsignedInt8 : SampleEncoding.SignedInt,
            FormatFloat => SampleEncoding.Float,
            FormatALaw => SampleEncoding.ALaw,
            FormatMuLaw => SampleEncoding.MuLaw,
            _ => throw new AudioFormatException($"{source}: WAV encoding 0x{tag:X4} is not supported (compressed WAV); convert to PCM or install ffmpeg"),
        };
        var format = new PcmFormat(encoding, bits, channels, (int)Math.Min(rate, int.MaxValue), BigEndian: false);
        format.Validate(source);
        if (blockAlign != format.BlockAlign)
            throw new AudioFormatException($"{source}: WAV block alignment {blockAlign} does not match {channels} channels of {bits} bits (corrupt header)");
        return format;
    }

    static void Skip(Stream stream, long bytes, string source)
    {
        if (stream.CanSeek)
        {
            if (stream.Position + bytes > stream.Length)
                throw new AudioFormatException($"{source}: WAV file ends inside a chunk before any 'data' (truncated)");
            stream.Seek(bytes, SeekOrigin.Current);
            return;
        }
        Span<byte> scratch = stackalloc byte[4096]; // not a heap buffer per chunk: files can hold thousands of empty chunks
        while (bytes > 0)
        {
            int n = stream.Read(scratch[..(int)Math.Min(scratch.Length, bytes)]);
            if (n == 0) throw new AudioFormatException($"{source}: WAV file ends inside a chunk before any 'data' (truncated)");
            bytes -= n;
        }
    }

    /// <summary>Writes 16-bit PCM, 32-bit float or other formats (used by tests, the synthesiser and uploads).</summary>
    public static void Write(Stream output, ReadOnlySpan<float> interleaved, int channels, int sampleRate,
        SampleEncoding encoding = SampleEncoding.SignedInt, int bitsPerSample = 16, bool extensible = false)
    {
        var format = new PcmFormat(encoding, bitsPerSample, channels, sampleRate, BigEndian: false);
        int bytes = format.BytesPerSample;
        long dataBytes = (long)interleaved.Length * bytes;
        int fmtSize = extensible ? 40 : 16;
        using var w = new BinaryWriter(output, System.Text.Encoding.ASCII, leaveOpen: true);
        w.Write("RIFF"u8); w.Write((uint)(4 + 8 + fmtSize + 8 + dataBytes + (dataBytes & 1))); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(fmtSize);
        ushort tag = encoding switch
        {
            SampleEncoding.Float => FormatFloat, SampleEncoding.ALaw => FormatALaw, SampleEncoding.MuLaw => FormatMuLaw, _ => FormatPcm,
        };
        w.Write(extensible ? FormatExtensible : tag); w.Write((ushort)channels); w.Write(sampleRate);
        w.Write(sampleRate * format.BlockAlign); w.Write((ushort)format.BlockAlign); w.Write((ushort)bitsPerSample);
        if (extensible)
        {
            w.Write((ushort)22); w.Write((ushort)bitsPerSample); w.Write(0u);
            w.Write(tag); w.Write(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 });
        }
        w.Write("data"u8); w.Write((uint)dataBytes);
        Span<byte> s = stackalloc byte[8];
        foreach (float x in interleaved)
        {
            PcmEncoder.Encode(x, format, s);
            w.Write(s[..bytes]);
        }
        if ((dataBytes & 1) != 0) w.Write((byte)0);
    }
}
