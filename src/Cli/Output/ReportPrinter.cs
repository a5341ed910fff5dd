using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Cli.Output;

/// <summary>Human-readable validation reports.</summary>
internal static class ReportPrinter
{
    public static void Print(TextWriter output, ValidationReport report)
    {
        var facts = new List<string> { report.Kind.ToString() };
        if (report.WorldSize is { } w)
        {
            facts.Add($"world size {w}");
        }

        if (report.FsdpVersion is { } v)
        {
            facts.Add($"FSDP {v}");
        }

        if (report.Mesh is { } mesh)
        {
            facts.Add(mesh);
        }

        output.WriteLine($"{report.Status.ToString().ToLowerInvariant()}: {report.Path} ({string.Join(", ", facts)})");
        foreach (var issue in report.Issues)
        {
            output.WriteLine($"  {issue}");
        }

        if (report.Tensors.Count > 0)
        {
            var parameters = report.Tensors.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
            output.WriteLine($"tensors: {report.Tensors.Count} ({parameters:N0} elements)");
            foreach (var group in report.Tensors.GroupBy(t => t.Layout))
            {
                output.WriteLine($"  {group.Count(),5} x {group.Key}");
            }
        }
    }
}
