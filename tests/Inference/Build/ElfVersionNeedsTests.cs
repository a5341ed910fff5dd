using System.Diagnostics;
using System.Security.Cryptography;
using VerlOrleans.Build;

namespace VerlOrleans.Inference.Tests.Build;

/// <summary>
/// The build-time patch that lets TorchSharp's native glue load on Debian 12 (build/ElfVersionNeeds.cs),
/// exercised on the real libLibTorchSharp.so from the NuGet cache.
/// </summary>
public sealed class ElfVersionNeedsTests : IDisposable
{
    private const string LibStdCxx = "libstdc++.so.6";
    private const string Needed = "GLIBCXX_3.4.32";
    private readonly string _folder = Directory.CreateTempSubdirectory("elf-patch-").FullName;

    private static string OriginalGlue
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Path.Combine(cache, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        }
    }

    private static string BuiltGlue => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void The_packaged_library_needs_the_version_strongly()
    {
        var requirement = Assert.Single(ElfVersionNeeds.Read(OriginalGlue), r => r.Version == Needed);

        Assert.Equal(LibStdCxx, requirement.Library);
        Assert.False(requirement.IsWeak);
    }

    [Fact]
    public void The_build_output_copy_is_weak_exactly_when_the_system_libstdcxx_lacks_the_version()
    {
        var system = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        Assert.True(File.Exists(system), "the grid supports Debian-layout linux-x64 hosts");
        var systemHasIt = ElfVersionNeeds.LibraryProvidesVersion(system, Needed);

        var requirement = Assert.Single(ElfVersionNeeds.Read(BuiltGlue), r => r.Version == Needed);

        Assert.Equal(!systemHasIt, requirement.IsWeak);
    }

    [Fact]
    public void Patching_flips_one_flag_byte_is_idempotent_and_leaves_hard_links_alone()
    {
        var copy = Path.Combine(_folder, "libLibTorchSharp.so");
        File.Copy(OriginalGlue, copy);
        var link = Path.Combine(_folder, "hard-link.so");
        RunLn(copy, link);
        var before = File.ReadAllBytes(copy);

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionNeeds.MarkWeak(copy, LibStdCxx, [Needed]));
        var after = File.ReadAllBytes(copy);
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeeds.MarkWeak(copy, LibStdCxx, [Needed]));

        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        var offset = Assert.Single(changed);
        var requirement = Assert.Single(ElfVersionNeeds.Read(copy), r => r.Version == Needed);
        Assert.Equal(requirement.FlagsOffset, offset);
        Assert.True(requirement.IsWeak);
        Assert.All(ElfVersionNeeds.Read(copy).Where(r => r.Version != Needed), r => Assert.False(r.IsWeak));
        Assert.Equal(SHA256.HashData(before), SHA256.HashData(File.ReadAllBytes(link)));
        Assert.Equal(after, File.ReadAllBytes(copy));
        Assert.Equal(["hard-link.so", "libLibTorchSharp.so"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_version_the_library_does_not_need_is_reported_and_nothing_is_written()
    {
        var copy = Path.Combine(_folder, "glue.so");
        File.Copy(OriginalGlue, copy);
        var stamp = File.GetLastWriteTimeUtc(copy);

        Assert.Equal(ElfPatchOutcome.NotRequired, ElfVersionNeeds.MarkWeak(copy, LibStdCxx, ["GLIBCXX_9.9.9"]));
        Assert.Equal(ElfPatchOutcome.NotRequired, ElfVersionNeeds.MarkWeak(copy, "libother.so", [Needed]));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    public void Malformed_files_fail_with_an_error_naming_the_file_never_an_index_exception()
    {
        var original = File.ReadAllBytes(OriginalGlue);
        var sectionTable = (int)BitConverter.ToUInt64(original, 0x28);
        var random = new Random(1234);
        var failures = 0;
        for (var round = 0; round < 3000; round++)
        {
            var mutated = (byte[])original.Clone();
            var flips = random.Next(1, 6);
            for (var f = 0; f < flips; f++)
            {
                // Aim at the structures the reader trusts: the ELF header, the section table, the verneed area.
                var region = random.Next(3);
                var at = region switch
                {
                    0 => random.Next(64),
                    1 => sectionTable + random.Next(Math.Max(1, original.Length - sectionTable)),
                    _ => 0x3f8f0 + random.Next(0x220),
                };
                mutated[Math.Min(at, mutated.Length - 1)] = (byte)random.Next(256);
            }

            if (random.Next(10) == 0)
            {
                Array.Resize(ref mutated, random.Next(mutated.Length));
            }

            try
            {
                ElfVersionNeeds.Read(mutated, "fuzzed.so");
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("fuzzed.so: malformed ELF", e.Message, StringComparison.Ordinal);
                failures++;
            }
        }

        Assert.True(failures > 100, $"only {failures} of 3000 mutations were rejected: the fuzzer is not reaching the checks");
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' })]
    public void Truncated_headers_are_rejected(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(bytes, "tiny.so"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void RunLn(string target, string link)
    {
        using var ln = Process.Start("ln", [target, link]);
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }
}
