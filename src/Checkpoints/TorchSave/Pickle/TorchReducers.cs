namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// The functions a torch.save pickle may call, implemented here over inert values (the pickled code is never
/// run). Argument errors throw <see cref="InvalidDataException"/>; the unpickler adds the file and position.
/// </summary>
public static class TorchReducers
{
    public static object? Call(PyGlobal function, object?[] args) => function.Concept switch
    {
        "OrderedDict" => OrderedDict(args),
        "_rebuild_tensor" => RebuildTensor(args, 4, null),
        "_rebuild_tensor_v2" => RebuildTensor(args, 6, null),
        "_rebuild_tensor_v3" => RebuildTensor(args, 7, args.Length > 6 ? args[6] : null),
        "_rebuild_parameter" or "_rebuild_parameter_with_state" => Parameter(args),
        "_rebuild_wrapper_subclass" => WrapperSubclass(args),
        "_rebuild_from_type_v2" => FromType(args),
        "_get_layout" => Arg(args, 0, "layout") as string ?? throw new InvalidDataException("layout name is not a string"),
        "Size" => Arg(args, 0, "sizes") as object?[] ?? throw new InvalidDataException("torch.Size argument is not a tuple"),
        "device" => new PyTorchDevice(string.Join(":", args.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)))),
        "getattr" => NestedClass(args),
        _ => throw new InvalidDataException($"'{function.FullName}' is not callable"),
    };

    /// <summary>A Python int as a long; refuses anything else.</summary>
    public static long ToLong(object? value, string what) => value switch
    {
        long l => l,
        bool => throw new InvalidDataException($"{what} is a bool, not an int"),
        _ => throw new InvalidDataException($"{what} is {RestrictedUnpickler.Describe(value)}, not an int"),
    };

    /// <summary>A tuple or list of Python ints as longs.</summary>
    public static long[] ToLongs(object? value, string what)
    {
        IEnumerable<object?> items = value switch
        {
            object?[] tuple => tuple,
            List<object?> list => list,
            _ => throw new InvalidDataException($"{what} is {RestrictedUnpickler.Describe(value)}, not a tuple of ints"),
        };
        return items.Select((item, i) => ToLong(item, $"{what}[{i}]")).ToArray();
    }

    private static object? Arg(object?[] args, int index, string name) =>
        index < args.Length ? args[index] : throw new InvalidDataException($"missing argument '{name}' ({args.Length} given)");

    private static PyDict OrderedDict(object?[] args)
    {
        var dict = new PyDict();
        if (args.Length > 0 && args[0] is List<object?> pairs)
        {
            foreach (var pair in pairs)
            {
                if (pair is not object?[] { Length: 2 } kv || kv[0] is null)
                {
                    throw new InvalidDataException("OrderedDict items must be (key, value) pairs");
                }

                dict.Set(kv[0]!, kv[1]);
            }
        }

        return dict;
    }

    private static TorchTensor RebuildTensor(object?[] args, int minimum, object? dtypeArgument)
    {
        if (args.Length < minimum)
        {
            throw new InvalidDataException($"takes at least {minimum} arguments, got {args.Length}");
        }

        if (args[0] is not PyStorageRef storage)
        {
            throw new InvalidDataException($"first argument is {RestrictedUnpickler.Describe(args[0])}, not a storage");
        }

        var dtype = storage.Storage.DType;
        if (dtypeArgument is not null)
        {
            dtype = (dtypeArgument as PyTorchDType ?? throw new InvalidDataException("dtype argument is not a torch dtype")).DType
                ?? throw new InvalidDataException($"tensor dtype torch.{((PyTorchDType)dtypeArgument).Name} is not supported");
        }

        var offset = ToLong(args[1], "storage_offset");
        var shape = ToLongs(args[2], "size");
        var stride = ToLongs(args[3], "stride");
        return new TorchTensor(storage.Storage, dtype, offset, shape, stride);
    }

    private static object? Parameter(object?[] args) =>
        Arg(args, 0, "data") is TorchTensor tensor ? tensor : throw new InvalidDataException("parameter data is not a plain tensor");

    private static PyWrapperTensor WrapperSubclass(object?[] args)
    {
        if (args.Length < 3)
        {
            throw new InvalidDataException($"takes 8 arguments, got {args.Length}");
        }

        var type = args[0] as PyGlobal ?? throw new InvalidDataException("first argument is not a class");
        var dtype = args[1] as PyTorchDType ?? throw new InvalidDataException("dtype argument is not a torch dtype");
        return new PyWrapperTensor(type, dtype, ToLongs(args[2], "size"));
    }

    private static object? FromType(object?[] args)
    {
        if (args.Length != 4)
        {
            throw new InvalidDataException($"takes 4 arguments, got {args.Length}");
        }

        var function = args[0] as PyGlobal ?? throw new InvalidDataException("first argument is not a function");
        if (function.Role != GlobalRole.Function)
        {
            throw new InvalidDataException($"'{function.FullName}' is not a rebuild function");
        }

        var type = args[1] as PyGlobal ?? throw new InvalidDataException("second argument is not a class");
        var inner = args[2] as object?[] ?? throw new InvalidDataException("third argument is not a tuple");
        var result = Call(function, inner);
        switch (result)
        {
            case PyWrapperTensor wrapper when wrapper.Type.Concept == type.Concept:
                wrapper.State = args[3];
                return wrapper;
            case TorchTensor tensor when type.Concept is "Tensor" or "Parameter":
                return tensor;
            default:
                throw new InvalidDataException($"tensor subclass '{type.FullName}' is not supported");
        }
    }

    /// <summary>
    /// <c>getattr</c> appears in two places only: the nested class <c>ShardedTensor.ProcessGroupState</c>, and enum
    /// members (Python 3.11+ pickles <c>MEM_FORMAT_ENCODING.TORCH_CONTIGUOUS_FORMAT</c> as <c>getattr(cls, name)</c>).
    /// </summary>
    private static object NestedClass(object?[] args)
    {
        if (args is [PyGlobal { Concept: "ShardedTensor" } owner, "ProcessGroupState"])
        {
            var name = $"{owner.Name}.ProcessGroupState";
            var found = TorchGlobals.Lookup(owner.Module, name)!.Value;
            return new PyGlobal(owner.Module, name, found.Role, found.Concept);
        }

        if (args is [PyGlobal { Concept: "MEM_FORMAT_ENCODING" } enumType, string member] && member.StartsWith("TORCH_", StringComparison.Ordinal)
            && member.All(c => char.IsAsciiLetterUpper(c) || c == '_'))
        {
            return new PyObject(enumType, [member]);
        }

        throw new InvalidDataException($"getattr is allowed only for ShardedTensor.ProcessGroupState and MEM_FORMAT_ENCODING members, not {string.Join(", ", args.Select(RestrictedUnpickler.Describe))}");
    }
}
