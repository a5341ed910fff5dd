using VerlOrleans.Evaluation.Imports;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Imports;

/// <summary>
/// A dump is an untrusted file: mutated copies of a real one (bytes flipped, cut, lines doubled) are read without any
/// exception; every line is either a sample or a rejection naming it.
/// </summary>
public sealed class ValidationDumpFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new("dump-fuzz");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Mutated_dumps_read_to_samples_and_named_rejections_only()
    {
        var original = File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Imports", "Fixtures", "val_dumps", "40.jsonl"));
        var random = new Random(20261207);
        for (var round = 0; round < 300; round++)
        {
            var bytes = original.ToList();
            for (var m = random.Next(1, 12); m > 0; m--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 40))); break;
                    case 2: bytes.Insert(at, (byte)"{}[]\":,\n\\"[random.Next(9)]); break;
                    default: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, random.Next(1, 200)))); break;
                }

                if (bytes.Count == 0)
                {
                    break;
                }
            }

            var path = _dir.Combine($"{round}.jsonl");
            File.WriteAllBytes(path, [.. bytes]);
            var (samples, rejected, _) = await ValidationDumpReader.ReadAsync(path);
            var lines = bytes.Count(b => b == (byte)'\n') + 1;
            Assert.InRange(samples.Count + rejected.Count, 0, lines);
            Assert.All(rejected, r => Assert.StartsWith("line ", r.Where, StringComparison.Ordinal));
            Assert.All(samples, s => Assert.NotNull(s.ResponseText));
        }
    }
}
