using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.TorchSave.Pickle;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Reads a torch.distributed.checkpoint <c>.metadata</c> file (a pickle of <c>Metadata</c>) with the restricted
/// unpickler and the DCP allowlist (<see cref="PickleAllowlist.DistributedCheckpointMetadata"/>): tensor entries
/// (<c>TensorStorageMetadata</c>: properties, size, chunks), byte entries, and <c>storage_data</c> (each
/// <c>MetadataIndex(fqn, offset)</c> → <c>_StorageInfo(relative_path, offset, length)</c>). Nothing in the file runs.
/// </summary>
public static class DcpMetadataReader
{
    public const string FileName = ".metadata";

    public static DcpMetadata Read(string folder)
    {
        var path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "no .metadata: not a torch.distributed.checkpoint folder (or the save did not finish)");
        }

        var length = new FileInfo(path).Length;
        if (length > TorchSaveFile.MaxPickleBytes)
        {
            throw new CheckpointFormatException(path, $".metadata is {length} bytes, more than the {TorchSaveFile.MaxPickleBytes} allowed");
        }

        var root = RestrictedUnpickler.Load(path, File.ReadAllBytes(path), _ => throw new CheckpointFormatException(path, "a .metadata pickle has no persistent ids"), PickleAllowlist.DistributedCheckpointMetadata);
        try
        {
            return Decode(path, root);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
    }

    private static DcpMetadata Decode(string path, object? root)
    {
        if (root is not PyObject { Type.Concept: "Metadata" } metadata)
        {
            throw new InvalidDataException($"top-level object is {RestrictedUnpickler.Describe(root)}, not torch.distributed.checkpoint.metadata.Metadata");
        }

        var storage = new Dictionary<(string, string), DcpStorageInfo>();
        if (metadata.Field("storage_data") is PyDict storageData)
        {
            foreach (var (key, value) in storageData.Items)
            {
                if (key is not PyObject { Type.Concept: "MetadataIndex" } index || index.Field("fqn") is not string fqn)
                {
                    throw new InvalidDataException($"storage_data key {RestrictedUnpickler.Describe(key)} is not a MetadataIndex");
                }

                var offsets = index.Field("offset") is { } o ? TorchReducers.ToLongs(o, $"'{fqn}' storage offset") : null;
                storage[(fqn, OffsetKey(offsets))] = StorageInfo(fqn, value);
            }
        }
        else if (metadata.Field("storage_data") is not null)
        {
            throw new InvalidDataException("storage_data is not a dict");
        }

        if (metadata.Field("state_dict_metadata") is not PyDict entries)
        {
            throw new InvalidDataException("Metadata has no state_dict_metadata dict");
        }

        var tensors = new List<DcpTensorEntry>();
        var bytes = new List<string>();
        var undecodable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in entries.Items)
        {
            if (key is not string name)
            {
                throw new InvalidDataException($"state_dict_metadata key {RestrictedUnpickler.Describe(key)} is not a string");
            }

            switch (value)
            {
                case PyObject { Type.Concept: "BytesStorageMetadata" }:
                    bytes.Add(name);
                    break;
                case PyObject { Type.Concept: "TensorStorageMetadata" } tensor:
                    var dtype = DTypeOf(name, tensor.Field("properties"));
                    if (dtype.DType is not { } known)
                    {
                        undecodable[name] = dtype.Name;
                        break;
                    }

                    var size = TorchReducers.ToLongs(tensor.Field("size"), $"'{name}' size");
                    var chunks = new List<(DcpChunk, DcpStorageInfo?)>();
                    foreach (var item in tensor.Field("chunks") as List<object?> ?? throw new InvalidDataException($"'{name}': chunks is not a list"))
                    {
                        if (item is not PyObject { Type.Concept: "ChunkStorageMetadata" } chunk)
                        {
                            throw new InvalidDataException($"'{name}': chunk {RestrictedUnpickler.Describe(item)} is not a ChunkStorageMetadata");
                        }

                        var offsets = TorchReducers.ToLongs(chunk.Field("offsets"), $"'{name}' chunk offsets");
                        var sizes = TorchReducers.ToLongs(chunk.Field("sizes"), $"'{name}' chunk sizes");
                        chunks.Add((new DcpChunk(offsets, sizes), storage.GetValueOrDefault((name, OffsetKey(offsets)))));
                    }

                    tensors.Add(new DcpTensorEntry(name, known, size, chunks));
                    break;
                default:
                    throw new InvalidDataException($"'{name}': entry {RestrictedUnpickler.Describe(value)} is neither TensorStorageMetadata nor BytesStorageMetadata");
            }
        }

        return new DcpMetadata(path, tensors, bytes, undecodable);
    }

    private static string OffsetKey(long[]? offsets) => offsets is null ? "-" : string.Join(",", offsets);

    private static DcpStorageInfo StorageInfo(string fqn, object? value)
    {
        if (value is not PyObject { Type.Concept: "_StorageInfo" } info || info.Field("relative_path") is not string relative)
        {
            throw new InvalidDataException($"'{fqn}': storage entry {RestrictedUnpickler.Describe(value)} is not a filesystem _StorageInfo");
        }

        var offset = TorchReducers.ToLong(info.Field("offset"), $"'{fqn}' storage offset");
        var length = TorchReducers.ToLong(info.Field("length"), $"'{fqn}' storage length");
        if (info.Field("transform_descriptors") is List<object?> { Count: > 0 } transforms)
        {
            throw new InvalidDataException($"'{fqn}': storage is transformed ({string.Join(", ", transforms.Select(RestrictedUnpickler.Describe))}); only plain items are supported");
        }

        return new DcpStorageInfo(relative, offset, length);
    }

    /// <summary>TensorProperties pickles its state as a tuple (dtype, layout, requires_grad, memory format, pin_memory); older torch as a dict.</summary>
    private static (TensorDType? DType, string Name) DTypeOf(string name, object? properties)
    {
        if (properties is not PyObject { Type.Concept: "TensorProperties" } props)
        {
            throw new InvalidDataException($"'{name}': properties is {RestrictedUnpickler.Describe(properties)}");
        }

        var dtype = props.State is object?[] { Length: 5 } tuple ? tuple[0] : props.Field("dtype");
        return dtype is PyTorchDType torchType
            ? (torchType.DType, torchType.Name)
            : throw new InvalidDataException($"'{name}': dtype is {RestrictedUnpickler.Describe(dtype)}");
    }
}
