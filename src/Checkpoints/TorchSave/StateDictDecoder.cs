using System.Buffers.Binary;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave.Pickle;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>Turns the unpickled top-level object of a state-dict file into typed values (tensors, DTensors, ShardedTensors).</summary>
internal static class StateDictDecoder
{
    private const int MaxMeshElements = 1 << 20;

    public static IReadOnlyList<KeyValuePair<string, StateDictValue>> Decode(string path, object? root)
    {
        if (root is not PyDict dict)
        {
            throw new CheckpointFormatException(path, $"top-level object is {RestrictedUnpickler.Describe(root)}, not a state dict");
        }

        var meshes = new Dictionary<PyObject, DeviceMeshInfo>(ReferenceEqualityComparer.Instance);
        var entries = new List<KeyValuePair<string, StateDictValue>>(dict.Count);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
            {
                throw new CheckpointFormatException(path, $"state dict key {RestrictedUnpickler.Describe(key)} is not a string");
            }

            try
            {
                entries.Add(new(name, DecodeValue(value, meshes)));
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(path, $"key '{name}': {e.Message}", e);
            }
        }

        return entries;
    }

    private static StateDictValue DecodeValue(object? value, Dictionary<PyObject, DeviceMeshInfo> meshes) => value switch
    {
        TorchTensor tensor => new PlainTensorValue(Sound(tensor)),
        PyWrapperTensor { Type.Concept: "DTensor" } wrapper => DecodeDTensor(wrapper, meshes),
        PyWrapperTensor { Type.Concept: "ShardedTensor" } wrapper => DecodeShardedTensor(wrapper),
        PyWrapperTensor wrapper => throw new InvalidDataException($"tensor subclass '{wrapper.Type.FullName}' is not supported"),
        _ => new NonTensorValue(RestrictedUnpickler.Describe(value)),
    };

    private static DTensorValue DecodeDTensor(PyWrapperTensor wrapper, Dictionary<PyObject, DeviceMeshInfo> meshes)
    {
        var local = Sound(PyState.Field(wrapper.State, "_local_tensor") as TorchTensor
            ?? throw new InvalidDataException("DTensor has no plain '_local_tensor'"));
        var spec = PyState.Field(wrapper.State, "_spec") as PyObject
            ?? throw new InvalidDataException("DTensor has no '_spec'");
        if (spec.Type.Concept != "DTensorSpec")
        {
            throw new InvalidDataException($"DTensor spec is '{spec.Type.FullName}'");
        }

        var meshObject = spec.Field("mesh") as PyObject ?? throw new InvalidDataException("DTensorSpec has no mesh");
        if (!meshes.TryGetValue(meshObject, out var mesh))
        {
            mesh = DecodeMesh(meshObject);
            meshes.Add(meshObject, mesh);
        }

        var placements = ToItems(spec.Field("placements"), "placements").Select(DecodePlacement).ToList();
        if (placements.Count != mesh.Shape.Count)
        {
            throw new InvalidDataException($"{placements.Count} placements for a {mesh.Shape.Count}-D mesh");
        }

        if (spec.Field("tensor_meta") is PyObject { Type.Concept: "TensorMeta" } meta && meta.Args.Length > 0)
        {
            var metaShape = TorchReducers.ToLongs(meta.Args[0], "tensor_meta.shape");
            if (!metaShape.SequenceEqual(wrapper.Size))
            {
                throw new InvalidDataException($"DTensor size [{string.Join(", ", wrapper.Size)}] differs from its tensor_meta shape [{string.Join(", ", metaShape)}]");
            }
        }

        if (wrapper.DType.DType is { } dtype && dtype != local.DType)
        {
            throw new InvalidDataException($"DTensor dtype {wrapper.DType.Name} differs from its local tensor's {local.DType}");
        }

        if (local.Shape.Length != wrapper.Size.Length)
        {
            throw new InvalidDataException($"local tensor has {local.Shape.Length} dims, the DTensor {wrapper.Size.Length}");
        }

        return new DTensorValue(local, wrapper.Size, placements, mesh);
    }

    private static DeviceMeshInfo DecodeMesh(PyObject mesh)
    {
        if (mesh.Type.Concept != "DeviceMesh")
        {
            throw new InvalidDataException($"DTensor mesh is '{mesh.Type.FullName}'");
        }

        var tensor = Sound(mesh.Field("mesh") as TorchTensor ?? throw new InvalidDataException("DeviceMesh has no 'mesh' tensor"));
        if (tensor.ElementCount is 0 or > MaxMeshElements || tensor.DType is not (TensorDType.I32 or TensorDType.I64))
        {
            throw new InvalidDataException($"DeviceMesh tensor is {tensor}, not a non-empty int tensor");
        }

        var bytes = TensorBytes.ReadAll(tensor);
        var ranks = new int[tensor.ElementCount];
        for (var i = 0; i < ranks.Length; i++)
        {
            var rank = tensor.DType == TensorDType.I32
                ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4))
                : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8));
            ranks[i] = rank is >= 0 and <= int.MaxValue ? (int)rank : throw new InvalidDataException($"DeviceMesh rank {rank} is out of range");
        }

        var shape = tensor.Shape.Select(d => (int)d).ToArray();
        string[]? names = null;
        if (mesh.Field("mesh_dim_names") is { } rawNames)
        {
            names = ToItems(rawNames, "mesh_dim_names").Select(n => n as string ?? throw new InvalidDataException("mesh_dim_names holds a non-string")).ToArray();
            if (names.Length != shape.Length)
            {
                throw new InvalidDataException($"{names.Length} mesh_dim_names for a {shape.Length}-D mesh");
            }
        }

        return new DeviceMeshInfo(shape, ranks, names);
    }

    private static Placement DecodePlacement(object? value)
    {
        if (value is not PyObject placement)
        {
            throw new InvalidDataException($"placement is {RestrictedUnpickler.Describe(value)}");
        }

        int Dim()
        {
            // Dataclass pickles carry {'dim': d}; the newest C++-backed classes may pass it as the argument.
            var raw = placement.HasField("dim") ? placement.Field("dim") : placement.Args.FirstOrDefault();
            var dim = TorchReducers.ToLong(raw, "placement dim");
            return dim is >= 0 and < 64 ? (int)dim : throw new InvalidDataException($"placement dim {dim} is out of range");
        }

        return placement.Type.Concept switch
        {
            "Shard" => new ShardPlacement(Dim()),
            "Replicate" => new ReplicatePlacement(),
            "Partial" => new PartialPlacement(placement.Field("reduce_op") as string ?? "sum"),
            "StridedShard" => new StridedShardPlacement(Dim(), TorchReducers.ToLong(placement.Field("split_factor"), "split_factor")),
            _ => throw new InvalidDataException($"'{placement.Type.FullName}' is not a placement"),
        };
    }

    private static ShardedTensorValue DecodeShardedTensor(PyWrapperTensor wrapper)
    {
        if (wrapper.State is not object?[] { Length: >= 2 } state)
        {
            throw new InvalidDataException("ShardedTensor state is not the (local_shards, metadata, ...) tuple");
        }

        var dtype = wrapper.DType.DType ?? throw new InvalidDataException($"ShardedTensor dtype torch.{wrapper.DType.Name} is not supported");
        var local = ToItems(state[0], "local_shards").Select(item =>
        {
            var shard = item as PyObject ?? throw new InvalidDataException("local shard is not a Shard object");
            var tensor = Sound(shard.Field("tensor") as TorchTensor ?? throw new InvalidDataException("local shard has no plain tensor"));
            var block = DecodeBlock(shard.Field("metadata"));
            if (!tensor.Shape.SequenceEqual(block.Sizes))
            {
                throw new InvalidDataException($"local shard tensor [{string.Join(", ", tensor.Shape)}] differs from its metadata sizes [{string.Join(", ", block.Sizes)}]");
            }

            if (tensor.DType != dtype)
            {
                throw new InvalidDataException($"local shard dtype {tensor.DType} differs from the ShardedTensor's {dtype}");
            }

            return (tensor, block);
        }).ToList();
        var metadata = state[1] as PyObject ?? throw new InvalidDataException("ShardedTensor metadata is missing");
        var size = TorchReducers.ToLongs(metadata.Field("size"), "ShardedTensor size");
        if (!size.SequenceEqual(wrapper.Size))
        {
            throw new InvalidDataException($"ShardedTensor size [{string.Join(", ", wrapper.Size)}] differs from its metadata size [{string.Join(", ", size)}]");
        }

        var all = ToItems(metadata.Field("shards_metadata"), "shards_metadata").Select(DecodeBlock).ToList();
        foreach (var block in all)
        {
            if (block.Offsets.Count != size.Length || block.Sizes.Count != size.Length
                || block.Offsets.Zip(block.Sizes, size).Any(t => t.First < 0 || t.Second < 0 || t.First + t.Second > t.Third))
            {
                throw new InvalidDataException($"shard at [{string.Join(", ", block.Offsets)}] of size [{string.Join(", ", block.Sizes)}] does not fit [{string.Join(", ", size)}]");
            }
        }

        return new ShardedTensorValue(size, dtype, local, all);
    }

    private static ShardBlock DecodeBlock(object? value)
    {
        var metadata = value as PyObject ?? throw new InvalidDataException("shard metadata is missing");
        var offsets = TorchReducers.ToLongs(metadata.Field("shard_offsets"), "shard_offsets");
        var sizes = TorchReducers.ToLongs(metadata.Field("shard_sizes"), "shard_sizes");
        var rank = -1;
        if (metadata.Field("placement") is PyObject placement && placement.Field("_rank") is long r)
        {
            rank = (int)Math.Clamp(r, -1, int.MaxValue);
        }

        return new ShardBlock(offsets, sizes, rank);
    }

    private static TorchTensor Sound(TorchTensor tensor) =>
        tensor.Problem is null ? tensor : throw new InvalidDataException(tensor.Problem);

    private static IEnumerable<object?> ToItems(object? value, string what) => value switch
    {
        object?[] tuple => tuple,
        List<object?> list => list,
        _ => throw new InvalidDataException($"{what} is {RestrictedUnpickler.Describe(value)}, not a sequence"),
    };
}
