using System.Buffers.Binary;
using System.Text;

namespace Genre.Native;

/// <summary>Reads and edits the version-needs section (SHT_GNU_verneed) of a 64-bit little-endian ELF file.</summary>
internal static class ElfVersionNeed
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    /// <summary>Sets VER_FLG_WEAK on the version need named <paramref name="version"/>.
    /// Returns true if the file changed, false if it was already weak or does not need that version.</summary>
    public static bool MakeWeak(string path, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        int? flagsOffset = FindFlagsOffset(elf, version);
        if (flagsOffset is not int at) return false;
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at));
        if ((flags & VerFlagWeak) != 0) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(at), (ushort)(flags | VerFlagWeak));
        string temp = path + ".weak-" + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temp, elf);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    /// <summary>True when the need for <paramref name="version"/> exists and is marked weak.</summary>
    public static bool IsWeak(string path, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        return FindFlagsOffset(elf, version) is int at && (BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at)) & VerFlagWeak) != 0;
    }

    /// <summary>File offset of the vna_flags field of the Vernaux entry named <paramref name="version"/>, if any.</summary>
    public static int? FindFlagsOffset(byte[] elf, string version)
    {
        var span = elf.AsSpan();
        if (elf.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (span[4] != 2 || span[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        for (int i = 0; i < shnum; i++)
        {
            var sh = span.Slice(checked((int)(shoff + (long)i * shentsize)), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            int offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            var strSh = span.Slice(checked((int)(shoff + (long)link * shentsize)), shentsize);
            int strOffset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x18..]));

            int need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(need + 2)..]);
                int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    int nameAt = strOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]);
                    int end = span[nameAt..].IndexOf((byte)0);
                    if (Encoding.ASCII.GetString(span.Slice(nameAt, end)) == version) return aux + 4;
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
                }
                need += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 12)..]);
            }
        }
        return null;
    }
}
