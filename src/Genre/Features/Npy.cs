using System.Text;
using System.Text.RegularExpressions;

namespace Genre.Features;

/// <summary>NumPy .npy files (format 1.0): little-endian float32, C order.</summary>
public static partial class Npy
{
    /// <summary>Writes a header for a float32 array of <paramref name="shape"/>; the caller writes the data after it.</summary>
    public static void WriteHeader(Stream output, IReadOnlyList<long> shape)
    {
        string dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        output.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        output.Write(BitConverter.GetBytes((ushort)header.Length));
        output.Write(Encoding.ASCII.GetBytes(header));
    }

    public static void WriteData(Stream output, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        output.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes a whole array atomically (temp + rename).</summary>
    public static void Write(string path, ReadOnlySpan<float> values, params long[] shape)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length) throw new ArgumentException("shape does not match the data length");
        var data = values.ToArray();
        Reports.AtomicFile.Write(path, s => { WriteHeader(s, shape); WriteData(s, data); });
    }

    /// <summary>Reads a float32 (or float64, converted) C-order array.</summary>
    public static (float[] Data, int[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new GenreException($"{path}: not a NumPy .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        string header = Encoding.ASCII.GetString(bytes, major == 1 ? 10 : 12, headerLength);
        if (header.Contains("'fortran_order': True")) throw new GenreException($"{path}: Fortran-order arrays are not supported");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new float[count];
        if (header.Contains("'<f4'")) Buffer.BlockCopy(bytes, dataStart, data, 0, checked((int)count * 4));
        else if (header.Contains("'<f8'")) for (int i = 0; i < count; i++) data[i] = (float)BitConverter.ToDouble(bytes, dataStart + 8 * i);
        else throw new GenreException($"{path}: only little-endian float32/float64 .npy files are supported");
        return (data, shape);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
