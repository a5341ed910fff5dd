namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

// What the restricted unpickler builds. Python values map to plain .NET values (null, bool, long,
// BigInteger, double, string, byte[], object?[] for tuples, List<object?> for lists, PyDict, PySet);
// allowlisted classes become inert records: nothing from the file is ever executed.

/// <summary>An allowlisted Python global (class, function or constant): canonical module and name, its role, and the concept it stands for.</summary>
public sealed record PyGlobal(string Module, string Name, GlobalRole Role, string Concept)
{
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}

/// <summary>An instance of an allowlisted class: constructor arguments plus the state BUILD gave it.</summary>
public sealed class PyObject(PyGlobal type, object?[] args)
{
    public PyGlobal Type { get; } = type;

    public object?[] Args { get; } = args;

    /// <summary>The BUILD state as Python passed it (a dict, a (dict, slots) tuple, or anything else); null without BUILD.</summary>
    public object? State { get; set; }

    /// <summary>Looks a field up in the BUILD state: <c>{...}</c>, <c>(None, {...})</c> or <c>({...}, {...})</c>.</summary>
    public object? Field(string name) => PyState.Field(State, name);

    public bool HasField(string name) => PyState.TryField(State, name, out _);

    public override string ToString() => $"{Type.FullName}(...)";
}

/// <summary>A Python dict (or OrderedDict), in insertion order, with attributes a BUILD may have set (OrderedDict <c>_metadata</c>).</summary>
public sealed class PyDict
{
    private readonly OrderedDictionary<object, object?> _items = new();

    public int Count => _items.Count;

    public IEnumerable<KeyValuePair<object, object?>> Items => _items;

    public object? Attributes { get; set; }

    public void Set(object key, object? value) => _items[key] = value;

    public bool TryGet(object key, out object? value) => _items.TryGetValue(key, out value);
}

/// <summary>A Python set or frozenset (only ever carried along, never interpreted).</summary>
public sealed class PySet
{
    public List<object?> Items { get; } = [];
}

/// <summary>Field access on Python object state as pickled by <c>object.__reduce_ex__(2)</c>.</summary>
public static class PyState
{
    public static bool TryField(object? state, string name, out object? value)
    {
        switch (state)
        {
            case PyDict dict:
                return dict.TryGet(name, out value);
            case object?[] { Length: 2 } pair:
                if (pair[1] is PyDict slots && slots.TryGet(name, out value))
                {
                    return true;
                }

                if (pair[0] is PyDict plain && plain.TryGet(name, out value))
                {
                    return true;
                }

                break;
        }

        value = null;
        return false;
    }

    public static object? Field(object? state, string name) => TryField(state, name, out var value) ? value : null;
}

/// <summary>A storage reference from a persistent id: <c>('storage', StorageClass, key, location, numel)</c>.</summary>
public sealed record PyStorageRef(TorchStorage Storage);

/// <summary>A <c>torch.dtype</c> constant; <see cref="DType"/> is null for torch dtypes we cannot decode (complex, float8...).</summary>
public sealed record PyTorchDType(string Name, Safetensors.TensorDType? DType);

/// <summary>A <c>torch.device</c>.</summary>
public sealed record PyTorchDevice(string Description);

/// <summary>
/// The wrapper half of a tensor subclass (<c>_rebuild_wrapper_subclass</c>): class, dtype and global size. The
/// data lives in the state that <c>_rebuild_from_type_v2</c> attaches.
/// </summary>
public sealed class PyWrapperTensor(PyGlobal type, PyTorchDType dtype, long[] size)
{
    public PyGlobal Type { get; } = type;

    public PyTorchDType DType { get; } = dtype;

    public long[] Size { get; } = size;

    public object? State { get; set; }
}
