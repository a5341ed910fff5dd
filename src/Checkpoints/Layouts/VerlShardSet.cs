using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VerlOrleans.Checkpoints.Layouts;

/// <summary>One <c>model_world_size_W_rank_R.pt</c> file.</summary>
public sealed record VerlRankFile(int WorldSize, int Rank, string Path);

/// <summary>What <c>fsdp_config.json</c> says (written by verl since mid-2025; older runs lack it).</summary>
public sealed record FsdpConfig(int? FsdpVersion, int? WorldSize);

/// <summary>
/// A verl actor/critic folder as found on disk: the rank files by name, <c>fsdp_config.json</c> and the
/// <c>huggingface/</c> folder. Nothing is validated here beyond parsing names; see <c>CheckpointValidator</c>.
/// </summary>
public sealed partial class VerlShardSet
{
    public const string FsdpConfigFileName = "fsdp_config.json";
    public const string HuggingFaceFolderName = "huggingface";

    private VerlShardSet(string folder, IReadOnlyList<VerlRankFile> rankFiles, FsdpConfig? fsdpConfig, string? fsdpConfigError)
    {
        Folder = folder;
        RankFiles = rankFiles;
        FsdpConfig = fsdpConfig;
        FsdpConfigError = fsdpConfigError;
    }

    public string Folder { get; }

    /// <summary>Every file named like a model shard, sorted by world size then rank.</summary>
    public IReadOnlyList<VerlRankFile> RankFiles { get; }

    /// <summary>The parsed <c>fsdp_config.json</c>, or null when absent or unreadable.</summary>
    public FsdpConfig? FsdpConfig { get; }

    /// <summary>Why <c>fsdp_config.json</c> could not be read, when it exists but is malformed.</summary>
    public string? FsdpConfigError { get; }

    public string HuggingFaceFolder => Path.Combine(Folder, HuggingFaceFolderName);

    /// <summary>True when the folder has at least one model shard file.</summary>
    public static bool LooksLikeShardSet(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "model_world_size_*_rank_*.pt").Any(f => RankFileName().IsMatch(Path.GetFileName(f)));

    public static VerlShardSet Read(string folder)
    {
        var files = new List<VerlRankFile>();
        foreach (var file in Directory.EnumerateFiles(folder, "model_world_size_*_rank_*.pt"))
        {
            var match = RankFileName().Match(Path.GetFileName(file));
            if (match.Success
                && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var world)
                && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var rank))
            {
                files.Add(new VerlRankFile(world, rank, file));
            }
        }

        files.Sort((a, b) => a.WorldSize != b.WorldSize ? a.WorldSize.CompareTo(b.WorldSize) : a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : string.CompareOrdinal(a.Path, b.Path));
        var (config, error) = ReadFsdpConfig(Path.Combine(folder, FsdpConfigFileName));
        return new VerlShardSet(folder, files, config, error);
    }

    private static (FsdpConfig?, string?) ReadFsdpConfig(string path)
    {
        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "not a JSON object");
            }

            int? Int(string name) => document.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
            var worldSize = Int("world_size");
            return worldSize is null
                ? (new FsdpConfig(Int("FSDP_version"), null), "has no integer 'world_size'")
                : (new FsdpConfig(Int("FSDP_version"), worldSize), null);
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON: {e.Message}");
        }
    }

    [GeneratedRegex(@"^model_world_size_(\d{1,6})_rank_(\d{1,6})\.pt$")]
    private static partial Regex RankFileName();
}
