using VerlOrleans.Checkpoints.Layouts;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>Checks the rank files of a shard set: one world size, ranks 0..W-1 each exactly once, agreeing with fsdp_config.json.</summary>
internal static class RankLayout
{
    /// <summary>The world size W, or null when the folder has no rank files.</summary>
    public static int? Check(VerlShardSet set, IssueList issues)
    {
        if (set.RankFiles.Count == 0)
        {
            issues.Unparseable("no model_world_size_W_rank_R.pt files", set.Folder);
            return null;
        }

        var namedSizes = set.RankFiles.GroupBy(f => f.WorldSize).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).ToList();
        var configPath = Path.Combine(set.Folder, VerlShardSet.FsdpConfigFileName);
        if (set.FsdpConfigError is { } error)
        {
            issues.Error("fsdp-config-invalid", $"fsdp_config.json is {error}", configPath);
        }
        else if (set.FsdpConfig is null)
        {
            issues.Warning("fsdp-config-missing", $"no fsdp_config.json (written by verl since mid-2025); world size {namedSizes[0].Key} taken from the file names", configPath);
        }

        var world = set.FsdpConfig?.WorldSize ?? namedSizes[0].Key;
        if (set.FsdpConfig?.WorldSize is { } configured && namedSizes.All(g => g.Key != configured))
        {
            issues.Error("world-size-mismatch", $"fsdp_config.json says world_size {configured}, the file names say {string.Join(" and ", namedSizes.Select(g => g.Key))}", configPath);
            return configured;
        }

        if (world <= 0)
        {
            issues.Error("world-size-mismatch", $"world size {world} is not positive", configPath);
            return null;
        }

        foreach (var file in set.RankFiles.Where(f => f.WorldSize != world))
        {
            issues.Error("world-size-mismatch", $"file name says world size {file.WorldSize}, the checkpoint's is {world}", file.Path);
        }

        var ofWorld = set.RankFiles.Where(f => f.WorldSize == world).ToList();
        foreach (var group in ofWorld.GroupBy(f => f.Rank).Where(g => g.Count() > 1))
        {
            issues.Error("duplicate-rank", $"rank {group.Key} has {group.Count()} files: {string.Join(", ", group.Select(f => Path.GetFileName(f.Path)))}", group.Last().Path);
        }

        foreach (var extra in ofWorld.Where(f => f.Rank >= world))
        {
            issues.Error("extra-rank", $"rank {extra.Rank} is outside a world of {world} (ranks 0..{world - 1})", extra.Path);
        }

        var present = ofWorld.Select(f => f.Rank).ToHashSet();
        foreach (var missing in Enumerable.Range(0, world).Where(r => !present.Contains(r)))
        {
            issues.Error("missing-rank", $"rank {missing} of {world} is missing (multi-node runs on node-local disks lose ranks)",
                Path.Combine(set.Folder, $"model_world_size_{world}_rank_{missing}.pt"));
        }

        return world;
    }
}
