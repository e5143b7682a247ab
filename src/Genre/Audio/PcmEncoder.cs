using System.Buffers.Binary;

namespace Genre.Audio;

/// <summary>Float to stored-sample conversion: the inverse of <see cref="PcmFormat.Decode"/>, for writers.</summary>
public static class PcmEncoder
{
    public static void Encode(float x, PcmFormat format, Span<byte> s)
    {
        bool be = format.BigEndian;
        double c = Math.Clamp((double)x, -1.0, 1.0);
        switch (format.Encoding)
        {
            case SampleEncoding.UnsignedInt8: s[0] = (byte)Math.Clamp(Math.Round(c * 128 + 128), 0, 255); break;
            case SampleEncoding.MuLaw: s[0] = Nearest(G711.MuLaw, x); break;
            case SampleEncoding.ALaw: s[0] = Nearest(G711.ALaw, x); break;
            case SampleEncoding.Float when format.BitsPerSample == 32:
                if (be) BinaryPrimitives.WriteSingleBigEndian(s, x); else BinaryPrimitives.WriteSingleLittleEndian(s, x); break;
            case SampleEncoding.Float:
                if (be) BinaryPrimitives.WriteDoubleBigEndian(s, x); else BinaryPrimitives.WriteDoubleLittleEndian(s, x); break;
            default:
                int bits = format.BitsPerSample;
                long full = 1L << (bits - 1);
                long v = (long)Math.Clamp(Math.Round(c * full), -full, full - 1);
                for (int b = 0; b < bits / 8; b++)
                    s[be ? bits / 8 - 1 - b : b] = (byte)(v >> (8 * b));
                break;
        }
    }

    static byte Nearest(float[] table, float x)
    {
        int best = 0;
        for (int i = 1; i < 256; i++) if (Math.Abs(table[i] - x) < Math.Abs(table[best] - x)) best = i;
        return (byte)best;
    }
}
