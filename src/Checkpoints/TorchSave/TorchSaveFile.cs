using System.IO.Hashing;
using System.Text;
using Microsoft.Win32.SafeHandles;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave.Pickle;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>
/// A torch.save (zip) file opened for lazy reading: the zip directory and the pickle are parsed (strictly,
/// with the restricted unpickler) and the top-level state dict decoded into <see cref="StateDictValue"/>s;
/// tensor bytes stay on disk until <see cref="TensorBytes"/> reads the ranges that are needed.
/// </summary>
public sealed class TorchSaveFile
{
    /// <summary>Upper bound on <c>data.pkl</c> (a state dict's pickle is kilobytes to a few megabytes).</summary>
    public const long MaxPickleBytes = 256L << 20;

    private TorchSaveFile(string path, string prefix, IReadOnlyList<KeyValuePair<string, StateDictValue>> entries, IReadOnlyList<ZipRecord> records, PyDict? top = null)
    {
        Path = path;
        RecordPrefix = prefix;
        Entries = entries;
        Records = records;
        TopLevel = top;
    }

    public string Path { get; }

    /// <summary>The folder name all records sit under (the file stem, or <c>archive</c>).</summary>
    public string RecordPrefix { get; }

    /// <summary>The state dict, in saved order.</summary>
    public IReadOnlyList<KeyValuePair<string, StateDictValue>> Entries { get; }

    /// <summary>Every zip record.</summary>
    public IReadOnlyList<ZipRecord> Records { get; }

    /// <summary>
    /// For a file opened by its state-dict entry, the whole top-level dict as the restricted unpickler built it
    /// (Megatron's <c>args</c>, <c>iteration</c>...: inert records, never called); null for a plain state dict.
    /// </summary>
    public PyDict? TopLevel { get; }

    /// <summary>Opens <paramref name="path"/>; any defect throws <see cref="CheckpointFormatException"/> naming the file and record or key.</summary>
    public static TorchSaveFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "no such file");
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var records = ZipDirectoryReader.Read(handle, path);
        var (prefix, root) = Unpickle(handle, path, records);
        var entries = StateDictDecoder.Decode(path, root);
        return new TorchSaveFile(path, prefix, entries, records);
    }

    /// <summary>
    /// Opens a torch.save whose top-level dict holds the state dict under <paramref name="entry"/> (Megatron's
    /// <c>{'model': ..., 'args': ..., 'optimizer': ...}</c>), unpickled under <paramref name="allowlist"/>. The other
    /// entries are parsed (so a forbidden global anywhere is refused) and not decoded.
    /// </summary>
    public static TorchSaveFile Open(string path, string entry, PickleAllowlist allowlist)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "no such file");
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var records = ZipDirectoryReader.Read(handle, path);
        var (prefix, root) = Unpickle(handle, path, records, allowlist);
        if (root is not PyDict dict)
        {
            throw new CheckpointFormatException(path, $"top-level object is {RestrictedUnpickler.Describe(root)}, not a dict");
        }

        if (!dict.TryGet(entry, out var inner))
        {
            var keys = string.Join(", ", dict.Items.Select(i => RestrictedUnpickler.Describe(i.Key)));
            throw new CheckpointFormatException(path, $"no '{entry}' entry (the file holds {keys})");
        }

        return new TorchSaveFile(path, prefix, StateDictDecoder.Decode(path, inner), records, dict);
    }

    /// <summary>
    /// The one plain tensor of a torch.save stored inside a larger file (a torch.distributed.checkpoint item: the
    /// <paramref name="length"/> bytes at <paramref name="start"/>), its storage located by absolute offset. Only that
    /// window of the file is read.
    /// </summary>
    public static TorchTensor OpenEmbeddedTensor(SafeFileHandle handle, string path, long start, long length)
    {
        var records = ZipDirectoryReader.Read(handle, path, start, length);
        var (_, root) = Unpickle(handle, path, records);
        if (root is not TorchTensor tensor)
        {
            throw new CheckpointFormatException(path, $"the torch.save item at offset {start} holds {RestrictedUnpickler.Describe(root)}, not a plain tensor");
        }

        tensor.EnsureSound();
        return tensor;
    }

    private static (string Prefix, object? Root) Unpickle(SafeFileHandle handle, string path, IReadOnlyList<ZipRecord> records, PickleAllowlist allowlist = PickleAllowlist.TorchSave)
    {
        var pickles = records.Where(r => r.Name.EndsWith("/data.pkl", StringComparison.Ordinal) && r.Name.IndexOf('/') == r.Name.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
        {
            throw new CheckpointFormatException(path, pickles.Count == 0
                ? "no '<prefix>/data.pkl' record: not a torch.save file"
                : $"{pickles.Count} data.pkl records ({string.Join(", ", pickles.Select(p => p.Name))})");
        }

        var pickle = pickles[0];
        var prefix = pickle.Name[..^"/data.pkl".Length];
        var byName = records.ToDictionary(r => r.Name, StringComparer.Ordinal);
        CheckByteOrder(handle, path, byName, prefix);
        if (pickle.Length > MaxPickleBytes)
        {
            throw new CheckpointFormatException(path, $"data.pkl is {pickle.Length} bytes, more than the {MaxPickleBytes} allowed");
        }

        var bytes = new byte[pickle.Length];
        FileReads.ReadExactly(handle, bytes, pickle.DataOffset, path);
        if (Crc32.HashToUInt32(bytes) != pickle.Crc32)
        {
            throw new CheckpointFormatException(path, $"record '{pickle.Name}' fails its CRC-32 check (corrupted file)");
        }

        var storages = new StorageResolver(path, prefix, byName);
        return (prefix, RestrictedUnpickler.Load(path, bytes, storages.Resolve, allowlist));
    }

    private static void CheckByteOrder(SafeFileHandle handle, string path, Dictionary<string, ZipRecord> byName, string prefix)
    {
        if (!byName.TryGetValue(prefix + "/byteorder", out var record))
        {
            return; // torch < 2.1 wrote no byteorder record: little-endian.
        }

        if (record.Length > 16)
        {
            throw new CheckpointFormatException(path, $"byteorder record is {record.Length} bytes");
        }

        var value = new byte[record.Length];
        FileReads.ReadExactly(handle, value, record.DataOffset, path);
        var text = Encoding.ASCII.GetString(value);
        if (text != "little")
        {
            throw new CheckpointFormatException(path, $"byteorder is '{text}'; only little-endian checkpoints are supported");
        }
    }

    /// <summary>Maps <c>('storage', StorageClass, key, location, numel)</c> persistent ids to zip records.</summary>
    private sealed class StorageResolver(string path, string prefix, Dictionary<string, ZipRecord> records)
    {
        private readonly Dictionary<string, TorchStorage> _byKey = new(StringComparer.Ordinal);

        public object? Resolve(object? pid)
        {
            if (pid is not object?[] { Length: 5 } id || id[0] is not "storage")
            {
                throw new CheckpointFormatException(path, $"persistent id {RestrictedUnpickler.Describe(pid)} is not a ('storage', ...) tuple");
            }

            if (id[1] is not PyGlobal { Role: GlobalRole.StorageClass } storageClass)
            {
                throw new CheckpointFormatException(path, $"persistent id names {RestrictedUnpickler.Describe(id[1])}, not a storage class");
            }

            if (id[2] is not string key)
            {
                throw new CheckpointFormatException(path, "storage key is not a string");
            }

            if (id[4] is not long numel || numel < 0)
            {
                throw new CheckpointFormatException(path, $"storage '{key}': element count is not a non-negative int");
            }

            var dtype = TorchGlobals.StorageDType(storageClass.Name)
                ?? throw new CheckpointFormatException(path, $"storage '{key}' has type torch.{storageClass.Name}, which is not supported");
            if (_byKey.TryGetValue(key, out var known))
            {
                if (known.DType != dtype || known.ElementCount != numel)
                {
                    throw new CheckpointFormatException(path, $"storage '{key}' is referenced as {known.DType}×{known.ElementCount} and as {dtype}×{numel}");
                }

                return new PyStorageRef(known);
            }

            if (!records.TryGetValue($"{prefix}/data/{key}", out var record))
            {
                throw new CheckpointFormatException(path, $"storage key '{key}' out of range: the file has no record '{prefix}/data/{key}'");
            }

            if (numel > long.MaxValue / 8 || record.Length != numel * dtype.ItemSize())
            {
                throw new CheckpointFormatException(path, $"storage '{key}' declares {numel} {dtype} elements but its record holds {record.Length} bytes");
            }

            var storage = new TorchStorage(path, key, dtype, numel, record.DataOffset);
            _byKey.Add(key, storage);
            return new PyStorageRef(storage);
        }
    }
}
