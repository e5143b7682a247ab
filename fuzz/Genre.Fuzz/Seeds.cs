using Genre.Audio;

namespace Genre.Fuzz;

/// <summary>Small valid WAV and AU files in every sample format the decoders read: the fuzz seed corpus.</summary>
public static class Seeds
{
    public static IEnumerable<(string Name, byte[] Data)> All()
    {
        var wavFormats = new (SampleEncoding Encoding, int Bits)[]
        {
            (SampleEncoding.UnsignedInt8, 8), (SampleEncoding.SignedInt, 16), (SampleEncoding.SignedInt, 24), (SampleEncoding.SignedInt, 32),
            (SampleEncoding.Float, 32), (SampleEncoding.Float, 64), (SampleEncoding.MuLaw, 8), (SampleEncoding.ALaw, 8),
        };
        foreach (var (encoding, bits) in wavFormats)
            foreach (bool extensible in new[] { false, true })
            {
                int channels = extensible ? 2 : 1;
                using var wav = new MemoryStream();
                WavDecoder.Write(wav, Tone(7 * channels), channels, 8000, encoding, bits, extensible);
                yield return ($"{(extensible ? "ext" : "wav")}-{encoding}-{bits}.wav".ToLowerInvariant(), wav.ToArray());
            }
        var auFormats = new (SampleEncoding Encoding, int Bits)[]
        {
            (SampleEncoding.MuLaw, 8), (SampleEncoding.ALaw, 8), (SampleEncoding.SignedInt, 8), (SampleEncoding.SignedInt, 16),
            (SampleEncoding.SignedInt, 24), (SampleEncoding.SignedInt, 32), (SampleEncoding.Float, 32), (SampleEncoding.Float, 64),
        };
        foreach (var (encoding, bits) in auFormats)
        {
            using var au = new MemoryStream();
            AuDecoder.Write(au, Tone(7), 1, 8000, encoding, bits);
            yield return ($"au-{encoding}-{bits}.au".ToLowerInvariant(), au.ToArray());
        }
    }

    static float[] Tone(int samples) => Enumerable.Range(0, samples).Select(i => (float)(0.5 * Math.Sin(i * 0.7))).ToArray();
}
