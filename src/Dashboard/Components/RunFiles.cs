using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Dashboard.Components;

/// <summary>A run's results files as the dashboard reads and links them (through the run grain, from any silo).</summary>
public static class RunFiles
{
    /// <summary>Every file a run folder may hold, in the order a user looks for them.</summary>
    public static readonly IReadOnlyList<string> Names = ["metrics.json", "results.jsonl", "results.parquet", "manifest.json", "prompt_report.json", "import_report.json"];

    private const int Chunk = 1 << 20;

    /// <summary>The HTTP download address of one file (served by the silo's API).</summary>
    public static string Href(string runId, string name) => $"/api/runs/{Uri.EscapeDataString(runId)}/files/{name}";

    /// <summary>The results files the run has written so far, in <see cref="Names"/> order.</summary>
    public static async Task<IReadOnlyList<string>> PresentAsync(IEvaluationRunGrain run)
    {
        var present = new List<string>();
        foreach (var name in Names)
        {
            try
            {
                await run.ReadResultsFileAsync(name, 0, 1);
                present.Add(name);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidOperationException)
            {
                // Not written (yet).
            }
        }

        return present;
    }

    /// <summary>A small file whole (up to <paramref name="maxBytes"/>), or null when the run has none (yet).</summary>
    public static async Task<byte[]?> ReadSmallAsync(IEvaluationRunGrain run, string name, int maxBytes = 8 << 20)
    {
        try
        {
            using var buffer = new MemoryStream();
            while (buffer.Length < maxBytes)
            {
                var chunk = await run.ReadResultsFileAsync(name, buffer.Length, Chunk);
                if (chunk.Length == 0)
                {
                    break;
                }

                buffer.Write(chunk);
            }

            return buffer.ToArray();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // The run does not exist (yet).
            return null;
        }
    }
}
