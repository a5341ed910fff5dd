namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// What the <see cref="RestrictedUnpickler"/> builds objects with: globals from the allowlist, REDUCE through the known
/// torch rebuild functions, NEWOBJ and BUILD on the few classes a checkpoint holds, and dicts.
/// </summary>
public sealed partial class RestrictedUnpickler
{
    private object? ResolveGlobal(string module, string name)
    {
        var found = TorchGlobals.Lookup(module, name, _allowlist)
            ?? throw Error($"forbidden global '{module}.{name}': not on the allowlist of {_allowlist switch
            {
                PickleAllowlist.DistributedCheckpointMetadata => "torch.distributed.checkpoint metadata",
                PickleAllowlist.MegatronLegacy => "Megatron checkpoint",
                _ => "torch checkpoint",
            }} types, refused without running it");
        module = TorchGlobals.CanonicalModule(module);
        return found.Role switch
        {
            GlobalRole.DType => new PyTorchDType(name, TorchGlobals.DType(name)),
            GlobalRole.Constant => $"{module}.{name}",
            _ => new PyGlobal(module, name, found.Role, found.Concept),
        };
    }

    private object? Reduce(object? callable, object? args)
    {
        if (args is not object?[] arguments)
        {
            throw Error($"REDUCE arguments are {Describe(args)}, not a tuple");
        }

        if (callable is not PyGlobal global)
        {
            throw Error($"REDUCE of {Describe(callable)}, which is not callable");
        }

        try
        {
            return global.Role switch
            {
                GlobalRole.Function => TorchReducers.Call(global, arguments),
                GlobalRole.InertClass => new PyObject(global, arguments),
                _ => throw new InvalidDataException($"'{global.FullName}' cannot be called"),
            };
        }
        catch (InvalidDataException e)
        {
            throw Error($"{global.Concept}: {e.Message}");
        }
        catch (CheckpointFormatException)
        {
            throw;
        }
    }

    private object NewObject(object? type, object? args)
    {
        if (type is not PyGlobal { Role: GlobalRole.InertClass } global)
        {
            throw Error($"NEWOBJ of {Describe(type)}, which is not an allowlisted class");
        }

        return new PyObject(global, args as object?[] ?? throw Error("NEWOBJ arguments are not a tuple"));
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyObject obj:
                obj.State = state;
                break;
            case PyDict dict:
                dict.Attributes = state;
                break;
            case PyWrapperTensor wrapper:
                wrapper.State = state;
                break;
            default:
                throw Error($"BUILD on {Describe(target)}");
        }
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Error($"memo index {index} was never stored");

    private object Key(object? key) => key ?? throw Error("dict key None is not supported");

    private PyDict BuildDict(List<object?> items)
    {
        if (items.Count % 2 != 0)
        {
            throw Error("DICT with an odd number of values");
        }

        var dict = new PyDict();
        for (var i = 0; i < items.Count; i += 2)
        {
            dict.Set(Key(items[i]), items[i + 1]);
        }

        return dict;
    }
}
