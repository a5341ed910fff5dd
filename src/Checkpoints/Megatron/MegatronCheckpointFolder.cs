namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Where a verl Megatron actor/critic folder keeps its model: <c>dist_ckpt/</c> + <c>huggingface/</c> directly under
/// it (HEAD), or <c>model/dist_ckpt/</c> + <c>model/huggingface/</c> (layout v2, with <c>ckpt_contents.json</c>), or
/// the older per-rank <c>mp_rank_TT[_PPP]/model_optim_rng.pt</c> folders + <c>huggingface/</c>.
/// The role folder, its <c>model/</c> folder or the <c>dist_ckpt/</c> folder itself are all accepted.
/// </summary>
/// <param name="Folder">The role folder (<c>actor</c>, <c>critic</c>).</param>
/// <param name="DistCkpt">The torch.distributed.checkpoint folder holding the model; for <c>mp_rank</c>, the folder holding the rank folders.</param>
/// <param name="HuggingFace">config.json and tokenizer.</param>
/// <param name="Layout"><c>dist_ckpt</c> (HEAD), <c>model/dist_ckpt</c> (v2) or <c>mp_rank</c> (per-rank torch.save).</param>
public sealed record MegatronCheckpointFolder(string Folder, string DistCkpt, string HuggingFace, string Layout)
{
    public const string ManifestFileName = "ckpt_contents.json";

    public const string PerRankLayout = "mp_rank";

    /// <summary>True for the per-rank <c>mp_rank_*</c> layout.</summary>
    public bool IsPerRank => Layout == PerRankLayout;

    /// <summary>The Megatron layout at <paramref name="folder"/>, or null when it is not one.</summary>
    public static MegatronCheckpointFolder? Find(string folder)
    {
        folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (IsDistCkpt(Path.Combine(folder, "model", "dist_ckpt")))
        {
            return new MegatronCheckpointFolder(folder, Path.Combine(folder, "model", "dist_ckpt"), Path.Combine(folder, "model", "huggingface"), "model/dist_ckpt");
        }

        if (IsDistCkpt(Path.Combine(folder, "dist_ckpt")))
        {
            // HEAD layout, or the model/ folder of a v2 checkpoint given directly.
            var parent = Path.GetFileName(folder) == "model" && File.Exists(Path.Combine(Path.GetDirectoryName(folder)!, ManifestFileName));
            return parent
                ? Find(Path.GetDirectoryName(folder)!)
                : new MegatronCheckpointFolder(folder, Path.Combine(folder, "dist_ckpt"), Path.Combine(folder, "huggingface"), "dist_ckpt");
        }

        if (Path.GetFileName(folder) == "dist_ckpt" && IsDistCkpt(folder))
        {
            return Find(Path.GetDirectoryName(folder)!);
        }

        return MegatronRankFolders.HasRankFolders(folder)
            ? new MegatronCheckpointFolder(folder, folder, Path.Combine(folder, "huggingface"), PerRankLayout)
            : null;
    }

    /// <summary>True when <paramref name="folder"/> holds a <c>.metadata</c> and <c>.distcp</c> files.</summary>
    public static bool IsDistCkpt(string folder) =>
        File.Exists(Path.Combine(folder, DcpMetadataReader.FileName)) || (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.distcp").Any());
}
