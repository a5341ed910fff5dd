using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>verl's real test parquet files in ../shared (data/verl-data).</summary>
internal static class VerlData
{
    public static string Gsm8k
    {
        get
        {
            // xunit 2 cannot skip: this interop test must run where CI runs it, so a missing folder fails loudly.
            var shared = RepositoryPaths.SharedFolder
                ?? throw new InvalidOperationException($"../shared next to {RepositoryPaths.Root} is missing; it holds verl's gsm8k test parquet (data/verl-data)");
            var path = Path.Combine(shared, "data", "verl-data", "gsm8k_test.parquet");
            return File.Exists(path) ? path : throw new FileNotFoundException("verl's gsm8k_test.parquet is missing", path);
        }
    }
}
