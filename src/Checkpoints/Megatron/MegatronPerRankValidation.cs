using System.Globalization;
using System.Text.RegularExpressions;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.TorchSave.Pickle;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Validates the per-rank Megatron layout (<see cref="MegatronRankFolders"/>) before any merge: every TP x PP rank
/// file is present and parses under <see cref="PickleAllowlist.MegatronLegacy"/>; the sizes its <c>args</c> were saved
/// with match the rank folders (<see cref="MegatronSavedArgs"/>); its <c>model</c> entry holds plain tensors; the TP
/// ranks of a stage hold the same keys with agreeing shapes; each stage numbers its layers 0..n-1 and the stages add up
/// to <c>num_hidden_layers</c>. Stage-local layer numbers are shifted by the layers of the earlier stages, TP shards are
/// joined (<see cref="MegatronTensorParallel"/>), and the same Megatron → Hugging Face mapping as for dist_ckpt folders
/// plans the merge.
/// </summary>
internal static partial class MegatronPerRankValidation
{
    public static (ValidationReport, MergePlan?) Validate(MegatronCheckpointFolder layout, IssueList issues, ValidationOptions options, CancellationToken cancellationToken)
    {
        var folder = layout.Folder;
        var config = HuggingFaceSideFiles.Check(layout.HuggingFace, issues);
        var ranks = MegatronRankFolders.Read(layout.DistCkpt, issues);
        if (ranks is not { } found || issues.HasErrors)
        {
            return (CheckpointValidator.Report(folder, CheckpointKind.MegatronDistCkpt, issues, null, null, null, []), null);
        }

        var files = new Dictionary<(int Tp, int Pp), TorchSaveFile>();
        foreach (var rank in found.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                files[(rank.Tp, rank.Pp)] = TorchSaveFile.Open(rank.Path, "model", PickleAllowlist.MegatronLegacy);
            }
            catch (CheckpointFormatException e)
            {
                issues.Unparseable(e.Message, rank.Path);
            }
            catch (IOException e)
            {
                issues.Unparseable($"{rank.Path}: {e.Message}", rank.Path);
            }
        }

        var saved = issues.HasErrors ? null : MegatronSavedArgs.Check(found.TpSize, found.PpSize, files.Values.ToList(), layout.DistCkpt, issues);
        if (issues.HasErrors || config is null)
        {
            return (CheckpointValidator.Report(folder, CheckpointKind.MegatronDistCkpt, issues, null, null, null, []), null);
        }

        var entries = new List<DcpTensorEntry>();
        var items = new Dictionary<DcpChunk, TorchTensor>(ReferenceEqualityComparer.Instance);
        var layers = 0L;
        var perStage = new List<int>();
        for (var pp = 0; pp < found.PpSize; pp++)
        {
            var stage = Enumerable.Range(0, found.TpSize).Select(tp => files[(tp, pp)]).ToList();
            var stageLayers = Stage(stage, layers, entries, items, issues);
            perStage.Add(stageLayers);
            layers += stageLayers;
        }

        var args = saved is { NumLayers: { } savedLayers } ? $" (saved args agree; num_layers {savedLayers})" : string.Empty;
        issues.Info("megatron-per-rank", $"Megatron per-rank checkpoint: TP {found.TpSize} x PP {found.PpSize}{args}, layers per stage {string.Join("/", perStage)}; {entries.Count} model tensors", layout.DistCkpt);
        if (config.NumHiddenLayers is { } expected && expected != layers && !issues.HasErrors)
        {
            issues.Error("layer-count", $"the {found.PpSize} pipeline stages hold {string.Join(" + ", perStage)} = {layers} layers, but config.json says num_hidden_layers {expected}", files[(0, 0)].Path);
        }

        if (issues.HasErrors)
        {
            return (CheckpointValidator.Report(folder, CheckpointKind.MegatronDistCkpt, issues, null, null, null, []), null);
        }

        using var handles = new FileHandleCache();
        var first = files[(0, 0)].Path;
        var tensors = MegatronValidation.Plan(entries, items, config, first, issues);
        ConfigShapes.Check(config, tensors.Select(t => (t.Name, (IReadOnlyList<long>)t.Shape)).ToList(), Path.Combine(layout.HuggingFace, "config.json"), issues);
        return CheckpointValidator.Finish(folder, CheckpointKind.MegatronDistCkpt, issues, options, tensors, handles, config, layout.HuggingFace, first, cancellationToken, worldSize: found.TpSize * found.PpSize);
    }

    /// <summary>Adds one pipeline stage's joined tensors with global layer numbers; returns how many layers it holds.</summary>
    private static int Stage(List<TorchSaveFile> stage, long offset, List<DcpTensorEntry> entries, Dictionary<DcpChunk, TorchTensor> items, IssueList issues)
    {
        var byRank = stage.Select(f => f.Entries.Where(e => MegatronNameMap.IsModelKey(e.Key)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal)).ToList();
        var keys = stage[0].Entries.Select(e => e.Key).Where(byRank[0].ContainsKey).ToList();
        for (var tp = 1; tp < stage.Count; tp++)
        {
            var missing = keys.Where(k => !byRank[tp].ContainsKey(k)).Concat(byRank[tp].Keys.Where(k => !byRank[0].ContainsKey(k))).Take(3).ToList();
            if (missing.Count > 0)
            {
                issues.Error("rank-key-mismatch", $"TP rank {tp} and TP rank 0 of this stage hold different model keys (e.g. {string.Join(", ", missing)})", stage[tp].Path);
                return 0;
            }
        }

        var local = keys.Select(k => LayerKey().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        if (local.Where((layer, i) => layer != i).Any())
        {
            issues.Error("layer-numbering", $"this stage numbers its layers {string.Join(", ", local)}; per-rank checkpoints number each stage's layers from 0", stage[0].Path);
            return 0;
        }

        foreach (var key in keys)
        {
            var shards = new List<TorchTensor>();
            for (var tp = 0; tp < stage.Count; tp++)
            {
                if (byRank[tp][key] is not PlainTensorValue plain)
                {
                    issues.Error("not-a-tensor", $"model entry is {byRank[tp][key].Kind}, not a plain tensor", stage[tp].Path, key);
                    break;
                }

                shards.Add(plain.Tensor);
            }

            if (shards.Count != stage.Count)
            {
                continue;
            }

            var match = LayerKey().Match(key);
            if (!match.Success && entries.Any(e => e.Key == key))
            {
                continue; // a tied embedding's copy on the last stage: the first stage's is the parameter
            }

            var global = match.Success
                ? $"decoder.layers.{(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) + offset).ToString(CultureInfo.InvariantCulture)}.{match.Groups[2].Value}"
                : key;
            var (entry, error) = MegatronTensorParallel.Join(global, shards, items);
            if (entry is null)
            {
                issues.Error("tp-shard-mismatch", error!, stage[0].Path, key);
                continue;
            }

            entries.Add(entry);
        }

        return local.Count;
    }

    [GeneratedRegex(@"^decoder\.layers\.(\d{1,9})\.(.+)$")]
    private static partial Regex LayerKey();
}
