namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// The globals a <c>torch.distributed.checkpoint</c> <c>.metadata</c> pickle may name (torch 2.4–2.6 as observed in
/// files <c>dcp.save</c> wrote, and the fields later versions add): the metadata dataclasses as inert records,
/// <c>torch.Size</c>, the layout helper and dtypes. <c>StorageMeta.checkpoint_id</c> may be a <c>pathlib</c> path,
/// kept as an inert record and never interpreted.
/// </summary>
internal static class DistributedCheckpointGlobals
{
    private const string MetadataModule = "torch.distributed.checkpoint.metadata";

    public static Dictionary<string, (GlobalRole, string)> Build()
    {
        var map = new Dictionary<string, (GlobalRole, string)>(StringComparer.Ordinal)
        {
            ["torch.Size"] = (GlobalRole.Function, "Size"),
            ["torch.serialization._get_layout"] = (GlobalRole.Function, "_get_layout"),
            ["torch.strided"] = (GlobalRole.Constant, "strided"),
            ["torch.distributed.checkpoint.filesystem._StorageInfo"] = (GlobalRole.InertClass, "_StorageInfo"),
        };
        foreach (var name in new[]
                 {
                     "Metadata", "TensorStorageMetadata", "BytesStorageMetadata", "ChunkStorageMetadata", "TensorProperties",
                     "_MEM_FORMAT_ENCODING", "MetadataIndex", "StorageMeta",
                 })
        {
            map.Add($"{MetadataModule}.{name}", (GlobalRole.InertClass, name));
        }

        foreach (var module in new[] { "pathlib", "pathlib._local" })
        {
            foreach (var name in new[] { "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath" })
            {
                map.Add($"{module}.{name}", (GlobalRole.InertClass, "Path"));
            }
        }

        return map;
    }
}
