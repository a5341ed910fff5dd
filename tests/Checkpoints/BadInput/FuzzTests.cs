using System.Diagnostics;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.BadInput;

/// <summary>
/// Seeded, bounded mutation fuzzing of the strict parsers: every mutated input either parses (and then reads
/// back) or fails with <see cref="CheckpointFormatException"/>. Nothing else may escape, no input may take
/// long, and none may make the parser allocate far beyond its own size.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private const int Iterations = 300;
    private const long AllocationBudget = 64L << 20;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);
    private readonly TempDirectory _dir = new("fuzz");

    public static TheoryData<string> TorchFiles() =>
    [
        Path.Combine("torch-2.6", "fsdp2-run", "global_step_1", "actor", "model_world_size_3_rank_2.pt"),
        Path.Combine("torch-2.6", "hsdp-fsdp1-2x2", "model_world_size_4_rank_1.pt"),
        Path.Combine("torch-1.13", "fsdp1-sharded-tensor-w2", "model_world_size_2_rank_0.pt"),
        Path.Combine("torch-1.13", "plain-tensors-protocol4.pt"),
    ];

    [Theory]
    [MemberData(nameof(TorchFiles))]
    public void Mutated_torch_files_fail_only_with_typed_errors(string fixture)
    {
        var source = Path.Combine(FixturePaths.Root, fixture);
        var original = File.ReadAllBytes(source);
        var random = new Random(fixture.Length * 7919);
        var failures = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var path = _dir.Combine($"{i}.pt");
            if (i % 2 == 0)
            {
                File.WriteAllBytes(path, Mutate(original, random));
            }
            else
            {
                // Aim inside the pickle: a valid zip and CRC around a damaged data.pkl.
                TorchZipRewriter.RewritePickle(source, path, pickle => Mutate(pickle, random));
            }

            failures += Survives(path, () =>
            {
                var file = TorchSaveFile.Open(path);
                foreach (var (_, value) in file.Entries)
                {
                    foreach (var tensor in Tensors(value))
                    {
                        TensorBytes.ReadAll(tensor);
                    }
                }
            });
            File.Delete(path);
        }

        Assert.InRange(failures, Iterations / 4, Iterations);                   // the mutations really did damage
    }

    [Fact]
    public void Mutated_safetensors_files_fail_only_with_typed_errors()
    {
        var original = File.ReadAllBytes(FixturePaths.Torch113("plain-tensors.safetensors"));
        var random = new Random(4242);
        var failures = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var path = _dir.Combine($"{i}.safetensors");
            File.WriteAllBytes(path, Mutate(original, random, headerOnly: i % 2 == 0));
            failures += Survives(path, () =>
            {
                foreach (var tensor in SafetensorsFile.Open(path).Tensors.Values)
                {
                    SafetensorsFile.ReadAllBytes(tensor);
                }
            });
            File.Delete(path);
        }

        Assert.InRange(failures, Iterations / 4, Iterations);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs one parse; returns 1 when it failed with the typed error, 0 when it parsed.</summary>
    private static int Survives(string path, Action parse)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        var failed = 0;
        try
        {
            parse();
        }
        catch (CheckpointFormatException)
        {
            failed = 1;
        }
        catch (Exception e)
        {
            Assert.Fail($"{path}: untyped {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }

        Assert.True(stopwatch.Elapsed < TimeBudget, $"{path} took {stopwatch.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < AllocationBudget, $"{path} allocated {GC.GetAllocatedBytesForCurrentThread() - allocated} bytes");
        return failed;
    }

    private static IEnumerable<TorchTensor> Tensors(StateDictValue value) => value switch
    {
        PlainTensorValue p => [p.Tensor],
        DTensorValue d => [d.Local],
        ShardedTensorValue s => s.LocalShards.Select(l => l.Tensor),
        _ => [],
    };

    private static byte[] Mutate(byte[] original, Random random, bool headerOnly = false)
    {
        var bytes = original.ToArray();
        var span = headerOnly ? Math.Min(bytes.Length, 8 + (int)BitConverter.ToUInt64(bytes)) : bytes.Length;
        switch (random.Next(5))
        {
            case 0:
                for (var n = random.Next(1, 9); n > 0; n--)
                {
                    bytes[random.Next(span)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
            {
                // An extreme little-endian integer somewhere: lengths, counts, offsets.
                var at = random.Next(Math.Max(1, span - 8));
                var value = random.Next(4) switch { 0 => -1L, 1 => long.MaxValue, 2 => int.MaxValue, _ => random.NextInt64() };
                BitConverter.GetBytes(value).AsSpan(0, Math.Min(8, bytes.Length - at)).CopyTo(bytes.AsSpan(at));
                return bytes;
            }

            case 3:
            {
                var at = random.Next(span);
                var length = Math.Min(random.Next(1, 64), bytes.Length - at);
                random.NextBytes(bytes.AsSpan(at, length));
                return bytes;
            }

            default:
            {
                // Duplicate a slice in place (repeated records, repeated opcodes).
                var at = random.Next(span);
                var length = Math.Min(random.Next(1, 32), bytes.Length - at);
                return [.. bytes[..at], .. bytes.AsSpan(at, length), .. bytes[at..]];
            }
        }
    }
}
