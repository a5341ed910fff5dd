using System.Runtime.InteropServices;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave.Pickle;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>A DTensor's spec, for <see cref="TorchSaveWriter"/>: global shape, placements, mesh and the writing rank.</summary>
public sealed record DTensorLayout(IReadOnlyList<long> GlobalShape, IReadOnlyList<Placement> Placements, DeviceMeshInfo Mesh, int Rank);

/// <summary>One state-dict entry to write: a plain tensor, or a DTensor's local tensor when <see cref="DTensor"/> is set.</summary>
public sealed record TorchSaveTensor(string Key, TensorDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Elements in the storage (more than the tensor's for FSDP2's padded shards); default: exactly the tensor's.</summary>
    public long? StorageElements { get; init; }

    public DTensorLayout? DTensor { get; init; }

    public long StorageBytes => (StorageElements ?? TensorDTypes.ElementCount(Shape)!.Value) * DType.ItemSize();
}

/// <summary>
/// Writes a state dict in PyTorch's torch.save zip format (pickle protocol 2, storages as separate aligned
/// records), with plain tensors or DTensors laid out exactly as torch 2.6 pickles them. Storage bytes are
/// streamed by the caller, so multi-gigabyte synthetic checkpoints (benchmarks) never sit in memory.
/// </summary>
public static class TorchSaveWriter
{
    private const string DTensorModule = "torch.distributed.tensor";

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>; <paramref name="writeStorage"/> is called once per
    /// tensor, in order, and must write exactly <see cref="TorchSaveTensor.StorageBytes"/> through the zip writer.
    /// With <paramref name="entry"/>, the state dict is that entry of a top-level dict (Megatron's <c>{'model': ...}</c>).
    /// </summary>
    public static void Write(string path, IReadOnlyList<TorchSaveTensor> tensors, Action<int, TorchZipWriter> writeStorage, string? entry = null)
    {
        var prefix = System.IO.Path.GetFileNameWithoutExtension(path);
        var (pickle, meshes) = BuildPickle(tensors, entry);
        using var zip = new TorchZipWriter(path);
        zip.AddRecord($"{prefix}/data.pkl", pickle);
        zip.AddRecord($"{prefix}/byteorder", "little"u8);
        for (var i = 0; i < tensors.Count; i++)
        {
            zip.BeginRecord($"{prefix}/data/{i}", tensors[i].StorageBytes);
            writeStorage(i, zip);
            zip.EndRecord();
        }

        for (var m = 0; m < meshes.Count; m++)
        {
            zip.AddRecord($"{prefix}/data/{tensors.Count + m}", MemoryMarshal.AsBytes(meshes[m].Ranks.ToArray().AsSpan()));
        }

        zip.AddRecord($"{prefix}/version", "3\n"u8);
        zip.Complete();
    }

    /// <summary>
    /// Writes a torch.save file whose root is one plain contiguous tensor (what torch.distributed.checkpoint stores per
    /// item); <paramref name="writeStorage"/> writes its bytes.
    /// </summary>
    public static void WriteTensor(string path, TensorDType dtype, IReadOnlyList<long> shape, Action<TorchZipWriter> writeStorage)
    {
        var p = new PickleWriter();
        PlainTensor(p, "0", dtype, shape, TensorDTypes.ElementCount(shape)!.Value);
        p.Stop();
        using var zip = new TorchZipWriter(path);
        zip.AddRecord("archive/data.pkl", p.ToArray());
        zip.AddRecord("archive/byteorder", "little"u8);
        zip.BeginRecord("archive/data/0", TensorDTypes.ElementCount(shape)!.Value * dtype.ItemSize());
        writeStorage(zip);
        zip.EndRecord();
        zip.AddRecord("archive/version", "3\n"u8);
        zip.Complete();
    }

    private static (byte[] Pickle, List<DeviceMeshInfo> Meshes) BuildPickle(IReadOnlyList<TorchSaveTensor> tensors, string? entry)
    {
        var p = new PickleWriter();
        var meshes = new List<DeviceMeshInfo>();
        var meshMemo = new Dictionary<DeviceMeshInfo, int>(ReferenceEqualityComparer.Instance);
        if (entry is not null)
        {
            p.EmptyDict().Mark().String(entry);
        }

        p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        p.Put();
        p.Mark();
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            p.String(tensor.Key);
            if (tensor.DTensor is null)
            {
                PlainTensor(p, i.ToString(System.Globalization.CultureInfo.InvariantCulture), tensor.DType, tensor.Shape, tensor.StorageBytes / tensor.DType.ItemSize());
            }
            else
            {
                DTensor(p, i, tensor, tensors.Count, meshes, meshMemo);
            }
        }

        p.SetItems();
        if (entry is not null)
        {
            p.SetItems();
        }

        p.Stop();
        return (p.ToArray(), meshes);
    }

    private static void PlainTensor(PickleWriter p, string key, TensorDType dtype, IReadOnlyList<long> shape, long storageElements)
    {
        p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
        p.Mark().String("storage").Global("torch", StorageClass(dtype)).String(key).String("cpu").Int(storageElements).Tuple().BinPersId();
        p.Int(0).Ints(shape).Ints(ContiguousStride(shape)).Bool(false);
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        p.Tuple().Reduce();
    }

    private static void DTensor(PickleWriter p, int index, TorchSaveTensor tensor, int storageCount, List<DeviceMeshInfo> meshes, Dictionary<DeviceMeshInfo, int> meshMemo)
    {
        var layout = tensor.DTensor!;
        p.Global("torch._tensor", "_rebuild_from_type_v2").Mark();
        p.Global("torch._utils", "_rebuild_wrapper_subclass");
        p.Global(DTensorModule, "DTensor");
        p.Mark().Global(DTensorModule, "DTensor").Global("torch", tensor.DType.TorchName()).Ints(layout.GlobalShape).Ints(ContiguousStride(layout.GlobalShape)).Int(0);
        p.Global("torch.serialization", "_get_layout").String("torch.strided").Tuple1().Reduce();
        p.Global("torch", "device").String("cpu").Tuple1().Reduce();
        p.Bool(false).Tuple();

        // state = (None, {'_local_tensor': ..., '_spec': DTensorSpec}) as Python >= 3.11 pickles slots.
        p.None().EmptyDict().Mark();
        p.String("_local_tensor");
        PlainTensor(p, index.ToString(System.Globalization.CultureInfo.InvariantCulture), tensor.DType, tensor.Shape, tensor.StorageBytes / tensor.DType.ItemSize());
        p.String("_spec").Global("torch.distributed.tensor._dtensor_spec", "DTensorSpec").EmptyTuple().NewObj().EmptyDict().Mark();
        p.String("mesh");
        if (meshMemo.TryGetValue(layout.Mesh, out var memo))
        {
            p.Get(memo);
        }
        else
        {
            meshes.Add(layout.Mesh);
            Mesh(p, layout, storageCount + meshes.Count - 1);
            meshMemo[layout.Mesh] = p.Put();
        }

        p.String("placements").Mark();
        foreach (var placement in layout.Placements)
        {
            switch (placement)
            {
                case ShardPlacement shard:
                    p.Global("torch.distributed.tensor.placement_types", "Shard").EmptyTuple().NewObj().EmptyDict().String("dim").Int(shard.Dim).SetItem().Build();
                    break;
                case ReplicatePlacement:
                    p.Global("torch.distributed.tensor.placement_types", "Replicate").EmptyTuple().NewObj();
                    break;
                default:
                    throw new NotSupportedException($"writing {placement} is not supported");
            }
        }

        p.Tuple();
        p.String("tensor_meta").Global("torch.distributed.tensor._dtensor_spec", "TensorMeta");
        p.Global("torch", "Size").Ints(layout.GlobalShape).Tuple1().Reduce();
        p.Ints(ContiguousStride(layout.GlobalShape)).Global("torch", tensor.DType.TorchName()).Tuple3().NewObj();
        p.String("_hash").None();
        p.SetItems().Build();
        p.SetItems().Tuple2();
        p.Tuple().Reduce();
    }

    private static void Mesh(PickleWriter p, DTensorLayout layout, int storageKey)
    {
        var mesh = layout.Mesh;
        p.Global("torch.distributed.device_mesh", "DeviceMesh").EmptyTuple().NewObj().EmptyDict().Mark();
        p.String("device_type").String("cpu");
        p.String("mesh");
        p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
        p.Mark().String("storage").Global("torch", "IntStorage").String(storageKey.ToString(System.Globalization.CultureInfo.InvariantCulture)).String("cpu").Int(mesh.Ranks.Count).Tuple().BinPersId();
        var shape = mesh.Shape.Select(s => (long)s).ToList();
        p.Int(0).Ints(shape).Ints(ContiguousStride(shape)).Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
        p.String("mesh_dim_names");
        if (mesh.DimNames is null)
        {
            p.None();
        }
        else
        {
            p.Mark();
            foreach (var name in mesh.DimNames)
            {
                p.String(name);
            }

            p.Tuple();
        }

        p.String("_flatten_mesh_list").Ints(mesh.Ranks.Select(r => (long)r).ToList());
        p.String("_thread_id").None();
        p.String("_coordinate_on_dim").EmptyList().Mark();
        foreach (var coordinate in mesh.CoordinatesOf(layout.Rank) ?? [])
        {
            p.Int(coordinate);
        }

        p.Appends();
        p.String("_hash").Int(0);
        p.SetItems().Build();
    }

    private static long[] ContiguousStride(IReadOnlyList<long> shape)
    {
        var stride = new long[shape.Count];
        long step = 1;
        for (var i = shape.Count - 1; i >= 0; i--)
        {
            stride[i] = step;
            step *= Math.Max(shape[i], 1);
        }

        return stride;
    }

    private static string StorageClass(TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => "FloatStorage",
        TensorDType.F64 => "DoubleStorage",
        TensorDType.F16 => "HalfStorage",
        TensorDType.BF16 => "BFloat16Storage",
        TensorDType.I64 => "LongStorage",
        TensorDType.I32 => "IntStorage",
        TensorDType.I16 => "ShortStorage",
        TensorDType.I8 => "CharStorage",
        TensorDType.U8 => "ByteStorage",
        TensorDType.Bool => "BoolStorage",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
