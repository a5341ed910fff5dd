using System.Globalization;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.TorchSave.Pickle;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// The sizes Megatron-LM saved in a per-rank file's <c>args</c> (its <c>argparse.Namespace</c>, read as an inert
/// record). They are what the run was launched with, so they tell a checkpoint with missing rank folders (a copy without
/// its last pipeline stage, say) from a smaller checkpoint, which the folder names alone cannot.
/// </summary>
internal sealed record MegatronSavedArgs(int? TensorParallel, int? PipelineParallel, int? NumLayers)
{
    /// <summary>The sizes in <paramref name="file"/>'s <c>args</c>, or null when it has none (or not a Namespace).</summary>
    public static MegatronSavedArgs? Read(TorchSaveFile file)
    {
        if (file.TopLevel is not { } top || !top.TryGet("args", out var value) || value is not PyObject { Type.FullName: "argparse.Namespace" } args)
        {
            return null;
        }

        int? Size(string name) => args.Field(name) is long size and > 0 and <= int.MaxValue ? (int)size : null;
        return new MegatronSavedArgs(Size("tensor_model_parallel_size"), Size("pipeline_model_parallel_size"), Size("num_layers"));
    }

    /// <summary>Records a <c>rank-mismatch</c> when the saved sizes differ from the TP x PP grid of the rank folders.</summary>
    public static MegatronSavedArgs? Check(int tpSize, int ppSize, IReadOnlyList<TorchSaveFile> files, string folder, IssueList issues)
    {
        MegatronSavedArgs? first = null;
        foreach (var group in files.Select(f => (File: f, Args: Read(f))).Where(f => f.Args is not null).GroupBy(f => (f.Args!.TensorParallel, f.Args.PipelineParallel)))
        {
            var (tp, pp) = group.Key;
            var (file, args) = group.First();
            first ??= args;
            if ((tp is { } t && t != tpSize) || (pp is { } p && p != ppSize))
            {
                var missing = Missing(tp ?? tpSize, pp ?? ppSize, folder);
                issues.Error("rank-mismatch",
                    $"saved with tensor_model_parallel_size {Text(tp)} x pipeline_model_parallel_size {Text(pp)} (its args; {group.Count()} of {files.Count} rank files say so), "
                    + $"but the rank folders hold TP {tpSize} x PP {ppSize}{(missing.Count > 0 ? $": missing {string.Join(", ", missing)}" : string.Empty)}",
                    file.Path);
            }
        }

        return first;
    }

    private static List<string> Missing(int tpSize, int ppSize, string folder)
    {
        var names = new List<string>();
        for (var pp = 0; pp < ppSize; pp++)
        {
            for (var tp = 0; tp < tpSize; tp++)
            {
                var name = ppSize == 1 ? $"mp_rank_{tp:00}" : $"mp_rank_{tp:00}_{pp:000}";
                if (!File.Exists(Path.Combine(folder, name, MegatronRankFolders.FileName)))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static string Text(int? size) => size?.ToString(CultureInfo.InvariantCulture) ?? "unset";
}
