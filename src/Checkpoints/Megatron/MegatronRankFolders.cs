using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>One rank's file of the per-rank Megatron layout.</summary>
public sealed record MegatronRankFile(int Tp, int Pp, string Path);

/// <summary>
/// The older per-rank Megatron layout: one <c>mp_rank_{tp:02d}_{pp:03d}/model_optim_rng.pt</c> per tensor- and
/// pipeline-parallel rank (<c>mp_rank_{tp:02d}</c> without pipeline parallelism). Every TP x PP rank must be present;
/// <c>transformer_config.json</c>, when it is there, must agree on the sizes.
/// </summary>
public static partial class MegatronRankFolders
{
    public const string FileName = "model_optim_rng.pt";

    /// <summary>True when <paramref name="folder"/> holds at least one <c>mp_rank_*</c> folder.</summary>
    public static bool HasRankFolders(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateDirectories(folder, "mp_rank_*").Any(d => RankName().IsMatch(System.IO.Path.GetFileName(d)));

    /// <summary>The rank files ordered by (pp, tp), or null after recording what is missing or inconsistent.</summary>
    internal static (int TpSize, int PpSize, IReadOnlyList<MegatronRankFile> Files)? Read(string folder, IssueList issues)
    {
        var ranks = new List<(int Tp, int? Pp, string Dir)>();
        foreach (var dir in Directory.EnumerateDirectories(folder, "mp_rank_*"))
        {
            var match = RankName().Match(System.IO.Path.GetFileName(dir));
            if (!match.Success)
            {
                issues.Error("unknown-rank-folder", "not an mp_rank_TT or mp_rank_TT_PPP folder (expert-parallel layouts are not supported)", dir);
                continue;
            }

            ranks.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : null, dir));
        }

        if (ranks.Select(r => r.Pp.HasValue).Distinct().Count() > 1)
        {
            issues.Error("mixed-rank-folders", "both mp_rank_TT and mp_rank_TT_PPP folders: two different checkpoints in one folder", folder);
            return null;
        }

        var tpSize = ranks.Max(r => r.Tp) + 1;
        var ppSize = ranks.Max(r => r.Pp ?? 0) + 1;
        var (declaredTp, declaredPp) = Declared(folder);
        tpSize = Math.Max(tpSize, declaredTp ?? 0);
        ppSize = Math.Max(ppSize, declaredPp ?? 0);
        var files = new List<MegatronRankFile>();
        for (var pp = 0; pp < ppSize; pp++)
        {
            for (var tp = 0; tp < tpSize; tp++)
            {
                var name = ranks[0].Pp is null && ppSize == 1 ? $"mp_rank_{tp:00}" : $"mp_rank_{tp:00}_{pp:000}";
                var path = System.IO.Path.Combine(folder, name, FileName);
                if (!File.Exists(path))
                {
                    issues.Error("missing-rank", $"rank TP {tp} PP {pp} of TP {tpSize} x PP {ppSize} is missing: no {name}/{FileName}", path);
                    continue;
                }

                files.Add(new MegatronRankFile(tp, pp, path));
            }
        }

        foreach (var (what, declared, found) in new[] { ("tensor_model_parallel_size", declaredTp, tpSize), ("pipeline_model_parallel_size", declaredPp, ppSize) })
        {
            if (declared is { } d && d != found)
            {
                issues.Error("rank-mismatch", $"transformer_config.json says {what} {d}, but the rank folders go up to {found}", System.IO.Path.Combine(folder, "transformer_config.json"));
            }
        }

        return files.Count == tpSize * ppSize ? (tpSize, ppSize, files) : null;
    }

    private static (int? Tp, int? Pp) Declared(string folder)
    {
        var path = System.IO.Path.Combine(folder, "transformer_config.json");
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length > 1 << 20)
            {
                return (null, null);
            }

            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            int? Get(string name) => json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) && i > 0 ? i : null;
            return (Get("tensor_model_parallel_size"), Get("pipeline_model_parallel_size"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    [GeneratedRegex(@"^mp_rank_(\d{2})(?:_(\d{3}))?$")]
    private static partial Regex RankName();
}
