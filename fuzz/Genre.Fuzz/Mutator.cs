using System.Buffers.Binary;

namespace Genre.Fuzz;

/// <summary>
/// Deterministic structure-aware byte mutator (the fallback when no coverage-guided fuzzer is at hand,
/// and the fixed-seed batch the regression tests replay): bit flips, "interesting" bytes and words,
/// header fields overwritten with 0 / all ones / huge values, truncation, and chunk insertion or duplication.
/// </summary>
public sealed class Mutator(int seed)
{
    static readonly uint[] InterestingWords = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 16, 24, 40, 44, 64, 65, 1 << 20, (1 << 20) + 1];
    static readonly byte[][] ChunkIds = ["fmt "u8.ToArray(), "data"u8.ToArray(), "LIST"u8.ToArray(), "RIFF"u8.ToArray(), ".snd"u8.ToArray()];
    readonly Random _random = new(seed);

    /// <summary>One to four stacked mutations of <paramref name="input"/> (which is left unchanged).</summary>
    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        int count = 1 + _random.Next(4);
        for (int i = 0; i < count; i++) MutateOnce(data);
        return [.. data];
    }

    void MutateOnce(List<byte> data)
    {
        if (data.Count == 0) { data.AddRange(ChunkIds[_random.Next(ChunkIds.Length)]); return; }
        switch (_random.Next(8))
        {
            case 0: // flip one bit
            {
                int at = _random.Next(data.Count);
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            }
            case 1: // an interesting byte anywhere
                data[_random.Next(data.Count)] = (byte)(_random.Next(4) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
                break;
            case 2: // a header field (first 64 bytes, 2- or 4-byte aligned) set to an interesting value, either byte order
                SetWord(data, _random.Next(Math.Min(data.Count, 64) / 2) * 2, InterestingWords[_random.Next(InterestingWords.Length)]);
                break;
            case 3: // a field anywhere set to a random huge or small value
                SetWord(data, _random.Next(data.Count), _random.Next(2) == 0 ? (uint)_random.Next() | 0x80000000u : (uint)_random.Next(64));
                break;
            case 4: // truncate
            {
                int keep = _random.Next(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                break;
            }
            case 5: // insert a chunk header (id + size), possibly before the data
            {
                var chunk = new byte[8];
                ChunkIds[_random.Next(ChunkIds.Length)].CopyTo(chunk, 0);
                BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), InterestingWords[_random.Next(InterestingWords.Length)]);
                data.InsertRange(_random.Next(data.Count + 1), chunk);
                break;
            }
            case 6: // duplicate a slice (repeats a chunk or part of one)
            {
                int start = _random.Next(data.Count), length = 1 + _random.Next(Math.Min(64, data.Count - start));
                data.InsertRange(_random.Next(data.Count + 1), data.GetRange(start, length));
                break;
            }
            default: // random bytes over a short span
            {
                int start = _random.Next(data.Count), length = 1 + _random.Next(Math.Min(8, data.Count - start));
                for (int i = start; i < start + length; i++) data[i] = (byte)_random.Next(256);
                break;
            }
        }
    }

    void SetWord(List<byte> data, int at, uint value)
    {
        int width = _random.Next(2) == 0 ? 2 : 4;
        Span<byte> word = stackalloc byte[4];
        if (_random.Next(2) == 0) BinaryPrimitives.WriteUInt32LittleEndian(word, value);
        else BinaryPrimitives.WriteUInt32BigEndian(word, width == 2 ? value << 16 : value);
        for (int i = 0; i < width && at + i < data.Count; i++) data[at + i] = word[i];
    }
}
