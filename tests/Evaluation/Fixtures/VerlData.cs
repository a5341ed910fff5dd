using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Fixtures;

/// <summary>verl's published gsm8k and MATH test parquet files (pyarrow-written), from ../shared/data/verl-data.</summary>
internal static class VerlData
{
    public static string Gsm8kTest => Require("gsm8k_test.parquet");

    public static string MathTest => Require("math_test.parquet");

    // xunit 2 cannot skip at run time; these interop tests must run where CI runs them, so a missing folder fails loudly.
    private static string Require(string name)
    {
        var shared = RepositoryPaths.SharedFolder
            ?? throw new InvalidOperationException($"../shared next to {RepositoryPaths.Root} is missing; it holds verl's test data (data/verl-data/{name})");
        var path = Path.Combine(shared, "data", "verl-data", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"verl's {name} is missing from {Path.GetDirectoryName(path)}", path);
    }
}
