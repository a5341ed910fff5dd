using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>What an allowlisted global is.</summary>
public enum GlobalRole
{
    /// <summary>A function the unpickler implements itself (REDUCE calls it).</summary>
    Function,

    /// <summary>A class whose instances are kept as inert <see cref="PyObject"/> records.</summary>
    InertClass,

    /// <summary>A typed storage class, referenced from persistent ids.</summary>
    StorageClass,

    /// <summary>A <c>torch.dtype</c> constant.</summary>
    DType,

    /// <summary>Any other constant (<c>torch.strided</c>).</summary>
    Constant,
}

/// <summary>
/// The fixed allowlist of globals a torch.save pickle may name (as PyTorch's own <c>weights_only</c> loader, plus
/// the DTensor and ShardedTensor classes verl's shards contain). Anything else is refused by name.
/// </summary>
public static class TorchGlobals
{
    private static readonly Dictionary<string, (GlobalRole Role, string Concept)> Allowed = Build();

    private static readonly Dictionary<string, (GlobalRole Role, string Concept)> DistributedCheckpointAllowed = DistributedCheckpointGlobals.Build();

    private static readonly Dictionary<string, TensorDType?> StorageDTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = TensorDType.F32,
        ["DoubleStorage"] = TensorDType.F64,
        ["HalfStorage"] = TensorDType.F16,
        ["BFloat16Storage"] = TensorDType.BF16,
        ["LongStorage"] = TensorDType.I64,
        ["IntStorage"] = TensorDType.I32,
        ["ShortStorage"] = TensorDType.I16,
        ["CharStorage"] = TensorDType.I8,
        ["ByteStorage"] = TensorDType.U8,
        ["BoolStorage"] = TensorDType.Bool,
        ["UntypedStorage"] = TensorDType.U8,
        ["ComplexFloatStorage"] = null,
        ["ComplexDoubleStorage"] = null,
        ["QInt8Storage"] = null,
        ["QUInt8Storage"] = null,
        ["QInt32Storage"] = null,
    };

    private static readonly Dictionary<string, TensorDType?> DTypes = new(StringComparer.Ordinal)
    {
        ["float32"] = TensorDType.F32,
        ["float"] = TensorDType.F32,
        ["float64"] = TensorDType.F64,
        ["double"] = TensorDType.F64,
        ["float16"] = TensorDType.F16,
        ["half"] = TensorDType.F16,
        ["bfloat16"] = TensorDType.BF16,
        ["int64"] = TensorDType.I64,
        ["long"] = TensorDType.I64,
        ["int32"] = TensorDType.I32,
        ["int"] = TensorDType.I32,
        ["int16"] = TensorDType.I16,
        ["short"] = TensorDType.I16,
        ["int8"] = TensorDType.I8,
        ["uint8"] = TensorDType.U8,
        ["bool"] = TensorDType.Bool,
        ["complex64"] = null,
        ["complex128"] = null,
        ["cfloat"] = null,
        ["cdouble"] = null,
        ["uint16"] = null,
        ["uint32"] = null,
        ["uint64"] = null,
        ["float8_e4m3fn"] = null,
        ["float8_e5m2"] = null,
        ["float8_e4m3fnuz"] = null,
        ["float8_e5m2fnuz"] = null,
    };

    /// <summary>The global's role and the concept it stands for (one name for all module paths of a class), or null when forbidden.</summary>
    public static (GlobalRole Role, string Concept)? Lookup(string module, string name, PickleAllowlist allowlist = PickleAllowlist.TorchSave)
    {
        module = CanonicalModule(module);
        if (allowlist == PickleAllowlist.DistributedCheckpointMetadata)
        {
            // A DCP .metadata pickle holds metadata records, sizes and dtypes only: no tensors, storages or subclasses.
            if (module == "torch" && DTypes.ContainsKey(name))
            {
                return (GlobalRole.DType, name);
            }

            return DistributedCheckpointAllowed.TryGetValue($"{module}.{name}", out var dcp) ? dcp : null;
        }

        if (allowlist == PickleAllowlist.MegatronLegacy && MegatronLegacyGlobals.Lookup(module, name) is { } legacy)
        {
            return legacy;
        }

        if (module == "torch" && StorageDTypes.ContainsKey(name))
        {
            return (GlobalRole.StorageClass, name);
        }

        if (module == "torch" && DTypes.ContainsKey(name))
        {
            return (GlobalRole.DType, name);
        }

        return Allowed.TryGetValue($"{module}.{name}", out var entry) ? entry : null;
    }

    /// <summary>Python 2 names that protocol-2 pickles written with <c>fix_imports</c> use.</summary>
    public static string CanonicalModule(string module) => module switch
    {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        _ => module,
    };

    /// <summary>Element type of a storage class, or null for storage classes we cannot decode.</summary>
    public static TensorDType? StorageDType(string name) => StorageDTypes.GetValueOrDefault(name);

    /// <summary>Element type of a torch dtype constant, or null for dtypes we cannot decode.</summary>
    public static TensorDType? DType(string name) => DTypes.GetValueOrDefault(name);

    private static Dictionary<string, (GlobalRole, string)> Build()
    {
        var map = new Dictionary<string, (GlobalRole, string)>(StringComparer.Ordinal);
        void Add(GlobalRole role, string concept, params string[] fullNames)
        {
            foreach (var fullName in fullNames)
            {
                map.Add(fullName, (role, concept));
            }
        }

        Add(GlobalRole.Function, "OrderedDict", "collections.OrderedDict");
        Add(GlobalRole.Function, "_rebuild_tensor", "torch._utils._rebuild_tensor");
        Add(GlobalRole.Function, "_rebuild_tensor_v2", "torch._utils._rebuild_tensor_v2");
        Add(GlobalRole.Function, "_rebuild_tensor_v3", "torch._utils._rebuild_tensor_v3");
        Add(GlobalRole.Function, "_rebuild_parameter", "torch._utils._rebuild_parameter");
        Add(GlobalRole.Function, "_rebuild_parameter_with_state", "torch._utils._rebuild_parameter_with_state");
        Add(GlobalRole.Function, "_rebuild_wrapper_subclass", "torch._utils._rebuild_wrapper_subclass");
        Add(GlobalRole.Function, "_rebuild_from_type_v2", "torch._tensor._rebuild_from_type_v2");
        Add(GlobalRole.Function, "_get_layout", "torch.serialization._get_layout");
        Add(GlobalRole.Function, "Size", "torch.Size");
        Add(GlobalRole.Function, "device", "torch.device");
        Add(GlobalRole.Function, "getattr", "builtins.getattr");
        Add(GlobalRole.Constant, "strided", "torch.strided");

        Add(GlobalRole.InertClass, "Tensor", "torch.Tensor");
        Add(GlobalRole.InertClass, "Parameter", "torch.nn.parameter.Parameter");
        Add(GlobalRole.InertClass, "DTensor",
            "torch.distributed.tensor.DTensor", "torch.distributed.tensor._api.DTensor",
            "torch.distributed._tensor.DTensor", "torch.distributed._tensor.api.DTensor");
        Add(GlobalRole.InertClass, "DTensorSpec",
            "torch.distributed.tensor._dtensor_spec.DTensorSpec", "torch.distributed._tensor.placement_types.DTensorSpec",
            "torch.distributed._tensor._dtensor_spec.DTensorSpec");
        Add(GlobalRole.InertClass, "TensorMeta",
            "torch.distributed.tensor._dtensor_spec.TensorMeta", "torch.distributed._tensor.placement_types.TensorMeta",
            "torch.distributed._tensor._dtensor_spec.TensorMeta");
        Add(GlobalRole.InertClass, "DeviceMesh", "torch.distributed.device_mesh.DeviceMesh", "torch.distributed._tensor.device_mesh.DeviceMesh");
        Add(GlobalRole.InertClass, "Shard", "torch.distributed.tensor.placement_types.Shard", "torch.distributed._tensor.placement_types.Shard");
        Add(GlobalRole.InertClass, "Replicate", "torch.distributed.tensor.placement_types.Replicate", "torch.distributed._tensor.placement_types.Replicate");
        Add(GlobalRole.InertClass, "Partial",
            "torch.distributed.tensor.placement_types.Partial", "torch.distributed._tensor.placement_types.Partial",
            "torch.distributed._tensor.placement_types._Partial");
        Add(GlobalRole.InertClass, "StridedShard",
            "torch.distributed.tensor.placement_types._StridedShard", "torch.distributed._tensor.placement_types._StridedShard");

        Add(GlobalRole.InertClass, "ShardedTensor", "torch.distributed._shard.sharded_tensor.api.ShardedTensor");
        Add(GlobalRole.InertClass, "ProcessGroupState", "torch.distributed._shard.sharded_tensor.api.ShardedTensor.ProcessGroupState");
        Add(GlobalRole.InertClass, "ShardedTensorShard", "torch.distributed._shard.sharded_tensor.shard.Shard");
        Add(GlobalRole.InertClass, "ShardMetadata", "torch.distributed._shard.metadata.ShardMetadata");
        Add(GlobalRole.InertClass, "ShardedTensorMetadata", "torch.distributed._shard.sharded_tensor.metadata.ShardedTensorMetadata");
        Add(GlobalRole.InertClass, "TensorProperties", "torch.distributed._shard.sharded_tensor.metadata.TensorProperties");
        Add(GlobalRole.InertClass, "MEM_FORMAT_ENCODING", "torch.distributed._shard.sharded_tensor.metadata.MEM_FORMAT_ENCODING");
        Add(GlobalRole.InertClass, "_remote_device", "torch.distributed.remote_device._remote_device");
        Add(GlobalRole.InertClass, "ChunkShardingSpec", "torch.distributed._shard.sharding_spec.chunk_sharding_spec.ChunkShardingSpec");

        // What ShardedTensor infers for a tensor torch.chunk leaves in one piece (e.g. a critic's score.weight [1, H] at
        // W >= 2): all shards at offset 0, so no chunk dim is found (_infer_sharding_spec_from_shards_metadata).
        Add(GlobalRole.InertClass, "EnumerableShardingSpec", "torch.distributed._shard.sharding_spec.api.EnumerableShardingSpec");
        return map;
    }
}
