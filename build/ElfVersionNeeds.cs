// Marks chosen symbol-version requirements of an ELF shared library as weak (VER_FLG_WEAK), so the
// dynamic loader accepts the library on a system whose libstdc++ lacks that version.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so requires GLIBCXX_3.4.32 only for the marker symbol
// _ZSt21ios_base_library_initv (no relocation); Debian 12's libstdc++ stops at 3.4.30. A weak
// version need is reported by the loader instead of failing the load.
//
// Compiled twice: by MSBuild's RoslynCodeTaskFactory (netstandard2.0 APIs only, so no Span,
// no BinaryPrimitives, no File.Move overwrite) and by the build tests with ELF_PATCHER_TESTS defined.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace VerlOrleans.Build;

/// <summary>What <see cref="ElfVersionNeeds.MarkWeak"/> did to one file.</summary>
public enum ElfPatchOutcome
{
    /// <summary>At least one requirement was changed and the file was replaced.</summary>
    Patched,
    /// <summary>Every requested requirement was already weak: the file was left untouched.</summary>
    AlreadyWeak,
    /// <summary>The file does not require any of the requested versions.</summary>
    NotRequired,
}

/// <summary>A strict reader/writer of the SHT_GNU_verneed section of 64-bit little-endian ELF files.</summary>
public static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>One version requirement: the library it is needed from, its name, and its flags.</summary>
    public sealed class Requirement
    {
        public Requirement(string library, string version, ushort flags, long flagsOffset)
        {
            Library = library;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        public string Library { get; }
        public string Version { get; }
        public ushort Flags { get; }
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
        /// <summary>File offset of the vna_flags field of this entry.</summary>
        public long FlagsOffset { get; }
    }

    /// <summary>Lists every version requirement of the file; throws <see cref="InvalidDataException"/> naming the file on any malformed structure.</summary>
    public static List<Requirement> Read(string path)
    {
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Lists every version requirement of an ELF image held in memory.</summary>
    public static List<Requirement> Read(byte[] elf, string nameForErrors)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the ELF patcher runs on little-endian hosts only");
        }

        Require(elf.Length >= 64, nameForErrors, "shorter than an ELF64 header");
        Require(elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F', nameForErrors, "no ELF magic");
        Require(elf[4] == 2, nameForErrors, "not a 64-bit ELF (EI_CLASS != ELFCLASS64)");
        Require(elf[5] == 1, nameForErrors, "not little-endian (EI_DATA != ELFDATA2LSB)");

        var sectionTable = ToOffset(BitConverter.ToUInt64(elf, 0x28), elf, nameForErrors, "e_shoff");
        int sectionSize = BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
        Require(sectionSize >= 64, nameForErrors, "e_shentsize smaller than an ELF64 section header");
        Require(sectionTable + ((long)sectionSize * sectionCount) <= elf.Length, nameForErrors, "section header table past the end of the file");

        var result = new List<Requirement>();
        for (var i = 0; i < sectionCount; i++)
        {
            var header = sectionTable + ((long)i * sectionSize);
            if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var start = ToOffset(BitConverter.ToUInt64(elf, (int)header + 0x18), elf, nameForErrors, "verneed sh_offset");
            var size = ToOffset(BitConverter.ToUInt64(elf, (int)header + 0x20), elf, nameForErrors, "verneed sh_size");
            var link = BitConverter.ToUInt32(elf, (int)header + 0x28);
            var entries = BitConverter.ToUInt32(elf, (int)header + 0x2C);
            Require(start + size <= elf.Length, nameForErrors, "verneed section past the end of the file");
            Require(link < sectionCount, nameForErrors, "verneed sh_link names no section");

            var strings = sectionTable + ((long)link * sectionSize);
            var stringsStart = ToOffset(BitConverter.ToUInt64(elf, (int)strings + 0x18), elf, nameForErrors, "dynstr sh_offset");
            var stringsSize = ToOffset(BitConverter.ToUInt64(elf, (int)strings + 0x20), elf, nameForErrors, "dynstr sh_size");
            Require(stringsStart + stringsSize <= elf.Length, nameForErrors, "dynstr section past the end of the file");

            ReadSection(elf, nameForErrors, start, size, entries, stringsStart, stringsSize, result);
        }

        return result;
    }

    private static void ReadSection(byte[] elf, string name, long start, long size, uint entries, long strStart, long strSize, List<Requirement> result)
    {
        var need = start;
        for (uint n = 0; n < entries; n++)
        {
            Require(need >= start && need + VerneedSize <= start + size, name, "Verneed entry outside its section");
            int count = BitConverter.ToUInt16(elf, (int)need + 2);
            var library = ReadString(elf, name, strStart, strSize, BitConverter.ToUInt32(elf, (int)need + 4));
            var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (var k = 0; k < count; k++)
            {
                Require(aux >= start && aux + VernauxSize <= start + size, name, "Vernaux entry outside its section");
                var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                var version = ReadString(elf, name, strStart, strSize, BitConverter.ToUInt32(elf, (int)aux + 8));
                result.Add(new Requirement(library, version, flags, aux + 4));
                var nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                if (nextAux == 0)
                {
                    Require(k == count - 1, name, "Vernaux chain shorter than vn_cnt");
                    break;
                }

                aux += nextAux;
            }

            var next = BitConverter.ToUInt32(elf, (int)need + 12);
            if (next == 0)
            {
                Require(n == entries - 1, name, "Verneed chain shorter than sh_info");
                break;
            }

            need += next;
        }
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on each listed version needed from <paramref name="library"/>. Writes a temporary
    /// file next to the target and renames it over the target, so a hard-linked original (the NuGet cache) is
    /// never modified and a crash leaves either the old or the new file. Idempotent.
    /// </summary>
    public static ElfPatchOutcome MarkWeak(string path, string library, ICollection<string> versions)
    {
        var elf = File.ReadAllBytes(path);
        var targets = new List<Requirement>();
        foreach (var requirement in Read(elf, path))
        {
            if (requirement.Library == library && versions.Contains(requirement.Version))
            {
                targets.Add(requirement);
            }
        }

        if (targets.Count == 0)
        {
            return ElfPatchOutcome.NotRequired;
        }

        var changed = false;
        foreach (var requirement in targets)
        {
            if (!requirement.IsWeak)
            {
                var flags = (ushort)(requirement.Flags | VerFlagWeak);
                elf[requirement.FlagsOffset] = (byte)(flags & 0xff);
                elf[requirement.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
        }

        if (!changed)
        {
            return ElfPatchOutcome.AlreadyWeak;
        }

        var temporary = path + ".patching-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temporary, elf);
            File.Replace(temporary, path, null);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }

        return ElfPatchOutcome.Patched;
    }

    /// <summary>True when the library file defines the version (its name appears NUL-terminated in the file).</summary>
    public static bool LibraryProvidesVersion(string libraryPath, string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        var haystack = File.ReadAllBytes(libraryPath);
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    match = false;
                    break;
                }
            }

            if (match && (i == 0 || haystack[i - 1] == 0))
            {
                return true;
            }
        }

        return false;
    }

    private static string ReadString(byte[] elf, string name, long strStart, long strSize, uint offset)
    {
        Require(offset < strSize, name, "string offset outside .dynstr");
        var begin = strStart + offset;
        var end = begin;
        while (end < strStart + strSize && elf[end] != 0)
        {
            end++;
        }

        Require(end < strStart + strSize, name, "unterminated string in .dynstr");
        return Encoding.ASCII.GetString(elf, (int)begin, (int)(end - begin));
    }

    private static long ToOffset(ulong value, byte[] elf, string name, string field)
    {
        Require(value <= (ulong)elf.Length, name, field + " beyond the end of the file");
        return (long)value;
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new InvalidDataException(name + ": malformed ELF: " + problem);
        }
    }
}

#if !ELF_PATCHER_TESTS
/// <summary>
/// MSBuild task: for each native library given, marks the listed libstdc++ versions weak unless the
/// system libstdc++ already provides them.
/// </summary>
public sealed class MarkLibStdCxxVersionsWeak : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    /// <summary>Semicolon-separated versions known to be safe to weaken (their symbols carry no relocation).</summary>
    [Microsoft.Build.Framework.Required]
    public string Versions { get; set; } = string.Empty;

    public override bool Execute()
    {
        var wanted = new List<string>(Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
        var system = FindSystemLibStdCxx();
        if (system != null)
        {
            wanted.RemoveAll(v => ElfVersionNeeds.LibraryProvidesVersion(system, v));
        }

        if (wanted.Count == 0)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "{0} provides every requested version: nothing to patch", system);
            return true;
        }

        foreach (var item in Libraries)
        {
            var outcome = ElfVersionNeeds.MarkWeak(item.ItemSpec, "libstdc++.so.6", wanted);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "{0}: {1} ({2})", item.ItemSpec, outcome, string.Join(", ", wanted));
        }

        return !Log.HasLoggedErrors;
    }

    private static string? FindSystemLibStdCxx()
    {
        foreach (var candidate in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
#endif
