using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on one version requirement (Vernaux entry of .gnu.version_r) of an ELF64
/// little-endian shared library, in place. Idempotent; leaves the file untouched when the entry
/// is absent or already weak.
/// </summary>
public sealed class MarkElfVersionNeedWeak : Task
{
    public string LibraryPath { get; set; } = "";
    public string VersionName { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        try
        {
            byte[] elf = File.ReadAllBytes(LibraryPath);
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
            {
                Log.LogWarning("{0} is not a little-endian ELF64 file; GLIBCXX patch skipped.", LibraryPath);
                return true;
            }
            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = BitConverter.ToInt64(elf, (int)sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
                int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
                long strtab = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
                long vn = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        long name = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                        if (ReadCString(elf, name) == VersionName)
                        {
                            ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                            if ((flags & VerFlgWeak) != 0) return true;
                            flags |= VerFlgWeak;
                            elf[aux + 4] = (byte)(flags & 0xff);
                            elf[aux + 5] = (byte)(flags >> 8);
                            string tmp = LibraryPath + ".tmp";
                            File.WriteAllBytes(tmp, elf);
                            File.Copy(tmp, LibraryPath, overwrite: true);
                            File.Delete(tmp);
                            Log.LogMessage(MessageImportance.Normal, "Marked {0} weak in {1}", VersionName, LibraryPath);
                            return true;
                        }
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    vn += BitConverter.ToUInt32(elf, (int)vn + 12);
                }
            }
            return true;
        }
        catch (Exception e)
        {
            Log.LogError("Could not patch {0} for {1}: {2}", LibraryPath, VersionName, e.Message);
            return false;
        }
    }

    static string ReadCString(byte[] data, long start)
    {
        long end = start;
        while (data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
    }
}
