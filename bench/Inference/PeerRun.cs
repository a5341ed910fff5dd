using System.Diagnostics;
using System.Text.Json;

namespace VerlOrleans.Bench.Inference;

/// <summary>Runs peer_generate.py (plain PyTorch eager loop with a KV cache, Debian's python3-torch) on the same model folder.</summary>
internal static class PeerRun
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Decode tokens/s by batch size, or an error text when the peer cannot run here.</summary>
    public static (IReadOnlyDictionary<int, double>? Rates, string? Error) DecodeRates(string modelFolder, int threads, int prompt, int decodeTokens, params int[] batches)
    {
        var script = Path.Combine(RepositoryRoot(), "bench", "Inference", "peer_generate.py");
        if (!File.Exists(Python))
        {
            return (null, $"{Python} not found (apt-get install python3-torch)");
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, modelFolder, $"{threads}", $"{prompt}", $"{decodeTokens}" }.Concat(batches.Select(b => $"{b}")))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            return (null, $"peer exited with {process.ExitCode}: {stderr.Trim()}");
        }

        using var json = JsonDocument.Parse(stdout.Result);
        return (json.RootElement.GetProperty("decode").EnumerateArray()
            .ToDictionary(d => d.GetProperty("batch").GetInt32(), d => d.GetProperty("tokens_per_second").GetDouble()), null);
    }

    // The script imports tools/inference/hf_reference.py by its place in the checkout, so it runs from there.
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VerlOrleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"VerlOrleans.sln not found above {AppContext.BaseDirectory}");
    }
}
