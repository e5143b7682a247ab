using System.Buffers.Binary;

namespace Genre.Audio;

/// <summary>How one sample is stored in a PCM file.</summary>
public enum SampleEncoding { SignedInt, UnsignedInt8, Float, MuLaw, ALaw }

/// <summary>The sample layout shared by WAV and AU files, and the conversion of raw bytes to floats.</summary>
public sealed record PcmFormat(SampleEncoding Encoding, int BitsPerSample, int Channels, int SampleRate, bool BigEndian)
{
    public const int MaxChannels = 64;
    public const int MinSampleRate = 1000;
    public const int MaxSampleRate = 768_000;

    public int BytesPerSample => BitsPerSample / 8;
    public int BlockAlign => BytesPerSample * Channels;

    /// <summary>Rejects header values no real file has, naming the file and the value.</summary>
    public void Validate(string source)
    {
        if (Channels < 1 || Channels > MaxChannels)
            throw new AudioFormatException($"{source}: {Channels} channels in the header; expected 1 to {MaxChannels} (the file is corrupt)");
        if (SampleRate < MinSampleRate || SampleRate > MaxSampleRate)
            throw new AudioFormatException($"{source}: sample rate {SampleRate} Hz in the header; expected {MinSampleRate} to {MaxSampleRate} Hz (the file is corrupt)");
        bool ok = Encoding switch
        {
            SampleEncoding.SignedInt => BitsPerSample is 16 or 24 or 32 || (BitsPerSample == 8 && BigEndian),
            SampleEncoding.UnsignedInt8 => BitsPerSample == 8,
            SampleEncoding.Float => BitsPerSample is 32 or 64,
            SampleEncoding.MuLaw or SampleEncoding.ALaw => BitsPerSample == 8,
            _ => false,
        };
        if (!ok) throw new AudioFormatException($"{source}: {BitsPerSample}-bit {Encoding} samples are not supported; convert to 16-bit PCM (e.g. ffmpeg -i IN -c:a pcm_s16le OUT.wav)");
    }

    /// <summary>Converts whole interleaved samples from <paramref name="raw"/> to floats in [-1, 1]. Non-finite
    /// float samples pass through unchanged: the feature extractor refuses the file by name (it is corrupt).</summary>
    public void Decode(ReadOnlySpan<byte> raw, Span<float> output)
    {
        if (!BigEndian && BitConverter.IsLittleEndian && DecodeCommon(raw, output)) return;
        int bytes = BytesPerSample;
        int count = raw.Length / bytes;
        for (int i = 0; i < count; i++)
        {
            var s = raw.Slice(i * bytes, bytes);
            output[i] = Encoding switch
            {
                SampleEncoding.UnsignedInt8 => (s[0] - 128) / 128f,
                SampleEncoding.MuLaw => G711.MuLaw[s[0]],
                SampleEncoding.ALaw => G711.ALaw[s[0]],
                SampleEncoding.SignedInt => BitsPerSample switch
                {
                    8 => (sbyte)s[0] / 128f,
                    16 => (BigEndian ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s)) / 32768f,
                    24 => (BigEndian ? (s[0] << 24 | s[1] << 16 | s[2] << 8) : (s[2] << 24 | s[1] << 16 | s[0] << 8)) / 2147483648f,
                    _ => (BigEndian ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s)) / 2147483648f,
                },
                _ => BitsPerSample == 32
                    ? (BigEndian ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s))
                    : (float)(BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s)),
            };
        }
    }

    /// <summary>Fast paths for the formats nearly every file uses: 16-bit PCM and 32-bit float, little-endian.</summary>
    bool DecodeCommon(ReadOnlySpan<byte> raw, Span<float> output)
    {
        if (Encoding == SampleEncoding.SignedInt && BitsPerSample == 16)
        {
            var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(raw);
            for (int i = 0; i < samples.Length; i++) output[i] = samples[i] * (1f / 32768f);
            return true;
        }
        if (Encoding == SampleEncoding.Float && BitsPerSample == 32)
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).CopyTo(output);
            return true;
        }
        return false;
    }
}

/// <summary>ITU-T G.711 mu-law and A-law expansion tables, scaled to [-1, 1].</summary>
public static class G711
{
    public static readonly float[] MuLaw = Build(MuLawToLinear);
    public static readonly float[] ALaw = Build(ALawToLinear);

    static float[] Build(Func<byte, int> expand)
    {
        var table = new float[256];
        for (int i = 0; i < 256; i++) table[i] = expand((byte)i) / 32768f;
        return table;
    }

    static int MuLawToLinear(byte code)
    {
        int u = ~code & 0xFF;
        int t = ((u & 0x0F) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (u & 0x80) != 0 ? 0x84 - t : t - 0x84;
    }

    static int ALawToLinear(byte code)
    {
        int a = code ^ 0x55;
        int t = (a & 0x0F) << 4;
        int seg = (a & 0x70) >> 4;
        t = seg switch { 0 => t + 8, 1 => t + 0x108, _ => (t + 0x108) << (seg - 1) };
        return (a & 0x80) != 0 ? t : -t;
    }
}

/// <summary>Reads interleaved PCM frames of a <see cref="PcmFormat"/> from a byte stream, up to a data length.</summary>
public sealed class PcmAudioStream : InterleavedAudioStream
{
    readonly Stream _stream;
    readonly PcmFormat _format;
    long _bytesLeft;
    byte[] _raw = [];

    /// <param name="dataBytes">Bytes of sample data that follow, or -1 to read to the end of the stream.</param>
    public PcmAudioStream(Stream stream, PcmFormat format, long dataBytes)
    {
        _stream = stream;
        _format = format;
        _bytesLeft = dataBytes < 0 ? long.MaxValue : dataBytes;
    }

    public override int SampleRate => _format.SampleRate;
    public override int Channels => _format.Channels;

    protected override int ReadInterleaved(float[] buffer, int frames)
    {
        int block = _format.BlockAlign;
        long wantBytes = Math.Min((long)frames * block, _bytesLeft - _bytesLeft % block);
        if (wantBytes <= 0) return 0;
        if (_raw.Length < wantBytes) _raw = new byte[wantBytes];
        int got = _stream.ReadAtLeast(_raw.AsSpan(0, (int)wantBytes), (int)wantBytes, throwOnEndOfStream: false);
        int whole = got - got % block; // a truncated last frame is dropped
        _bytesLeft = got < wantBytes ? 0 : _bytesLeft - got;
        _format.Decode(_raw.AsSpan(0, whole), buffer);
        return whole / block;
    }

    public override void Dispose()
    {
        _stream.Dispose();
        base.Dispose();
    }
}
