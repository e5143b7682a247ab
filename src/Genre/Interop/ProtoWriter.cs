using System.Text;

namespace Genre.Interop;

/// <summary>
/// The few Protocol Buffers wire-format primitives the ONNX writer needs: varints, length-delimited
/// fields (strings, bytes, nested messages) and packed repeated int64. Messages are built inside out:
/// a nested message is written to its own writer, then added as bytes.
/// </summary>
sealed class ProtoWriter
{
    const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;
    readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public ProtoWriter Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A packed repeated int64 field (proto3's default encoding; readers accept it for proto2 too).</summary>
    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.WriteVarint(unchecked((ulong)v));
        return Bytes(field, inner.ToArray());
    }

    void Tag(int field, int wireType) => WriteVarint((ulong)(field << 3 | wireType));

    void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
