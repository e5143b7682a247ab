using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Genre.Model;

/// <summary>A named float32 tensor in host memory.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Data);

/// <summary>
/// The safetensors format: 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data. Only F32 is written and read.
/// Reading validates every field against the file, and never executes anything from it.
/// </summary>
public static class SafeTensors
{
    /// <summary>Headers larger than this are refused (real ones are a few kB).</summary>
    public const long MaxHeaderBytes = 100 * 1024 * 1024;

    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            long bytes = (long)t.Data.Length * 4;
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8; // align data to 8 bytes, padding with spaces as the spec allows
        var headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        headerBytes.AsSpan(json.Length).Fill((byte)' ');
        Reports.AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            s.Write(len);
            s.Write(headerBytes);
            foreach (var t in tensors) s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Data.AsSpan()));
        });
    }

    public static (List<NamedTensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: weights file not found");
        using var file = File.OpenRead(path);
        long length = file.Length;
        Span<byte> lenBytes = stackalloc byte[8];
        if (file.ReadAtLeast(lenBytes, 8, throwOnEndOfStream: false) < 8)
            throw new GenreException($"{path}: not a safetensors file (shorter than its 8-byte header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
            throw new GenreException($"{path}: safetensors header length {headerLength} is larger than the file or the {MaxHeaderBytes}-byte limit (corrupt file)");
        var headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength, dataLength = length - dataStart;

        JsonObject header;
        try { header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new JsonException("empty header"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new GenreException($"{path}: safetensors header is not valid JSON ({e.Message})");
        }
        var metadata = new Dictionary<string, string>();
        var tensors = new List<NamedTensor>();
        var ranges = new List<(long Begin, long End, string Name)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta) foreach (var (k, v) in meta) metadata[k] = v?.ToString() ?? "";
                continue;
            }
            try
            {
                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>();
                if (dtype != "F32") throw new GenreException($"{path}: tensor '{name}' has dtype {dtype}; only F32 is supported");
                long[] shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                    throw new GenreException($"{path}: tensor '{name}' has data offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes (corrupt or truncated file)");
                if (shape.Any(d => d < 0) || shape.Aggregate(1.0, (a, d) => a * d) * 4 != offsets[1] - offsets[0])
                    throw new GenreException($"{path}: tensor '{name}' of shape [{string.Join(", ", shape)}] does not match its {offsets[1] - offsets[0]} bytes of data");
                ranges.Add((offsets[0], offsets[1], name));
                var data = new float[(offsets[1] - offsets[0]) / 4];
                file.Position = dataStart + offsets[0];
                file.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
                tensors.Add(new NamedTensor(name, shape, data));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or JsonException or KeyNotFoundException)
            {
                throw new GenreException($"{path}: safetensors entry '{name}' is malformed ({e.Message})");
            }
        }
        ranges.Sort();
        for (int i = 1; i < ranges.Count; i++)
            if (ranges[i].Begin < ranges[i - 1].End)
                throw new GenreException($"{path}: tensors '{ranges[i - 1].Name}' and '{ranges[i].Name}' overlap (corrupt file)");
        return (tensors, metadata);
    }
}
