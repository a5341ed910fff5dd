using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// A pickle virtual machine for protocols 2–5 that builds only inert values. Globals resolve through
/// <see cref="TorchGlobals"/> (anything else is refused by name), REDUCE runs only the handful of torch
/// rebuild functions implemented in <see cref="TorchReducers"/>, and persistent ids resolve to storages
/// through a callback. Every length is checked against the remaining input, so a hostile pickle can cost
/// at most about its own size in memory.
/// </summary>
public sealed class RestrictedUnpickler
{
    private static readonly object Mark = new();
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly string _path;
    private readonly byte[] _data;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;

    private RestrictedUnpickler(string path, byte[] data, Func<object?, object?> persistentLoad)
    {
        _path = path;
        _data = data;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Unpickles <paramref name="data"/>; <paramref name="persistentLoad"/> resolves persistent ids (storages).</summary>
    public static object? Load(string path, byte[] data, Func<object?, object?> persistentLoad)
    {
        var unpickler = new RestrictedUnpickler(path, data, persistentLoad);
        try
        {
            return unpickler.Run();
        }
        catch (InvalidDataException e)
        {
            throw unpickler.Error(e.Message);
        }
    }

    private CheckpointFormatException Error(string problem) => new(_path, $"data.pkl byte {_position}: {problem}");

    private object? Run()
    {
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw Error("pickle ends without STOP (truncated)");
            }

            var opcode = _data[_position++];
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5)
                    {
                        throw Error($"unsupported pickle protocol {protocol}");
                    }

                    break;
                case 0x95: // FRAME: an optimisation hint; the frame's bytes follow inline.
                    ReadInt64Length();
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                    {
                        throw Error($"STOP with {_stack.Count} values on the stack");
                    }

                    return _stack[0];
                case (byte)'(':
                    _marks.Add(_stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'I': // INT (text; "00"/"01" are booleans)
                    Push(ParseTextInt(ReadLine()));
                    break;
                case (byte)'L': // LONG (text)
                    Push(ParseTextInt(ReadLine().TrimEnd('L')));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8b: // LONG4
                    Push(ReadLong(ReadInt32Length()));
                    break;
                case (byte)'G': // BINFLOAT (big-endian)
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'F': // FLOAT (text)
                {
                    var text = ReadLine();
                    Push(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : throw Error($"'{text}' is not a float"));
                    break;
                }

                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(ReadInt32Length()));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(ReadUtf8(ReadByte()));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(ReadUtf8(ReadInt64Length()));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str): kept as bytes
                    Push(Take(ReadInt32Length()).ToArray());
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Take(ReadByte()).ToArray());
                    break;
                case (byte)'B': // BINBYTES
                    Push(Take(ReadInt32Length()).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(Take(ReadByte()).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(Take(ReadInt64Length()).ToArray());
                    break;
                case (byte)')':
                    Push(Array.Empty<object?>());
                    break;
                case (byte)'t':
                    Push(PopMark().ToArray());
                    break;
                case 0x85:
                    Push(new[] { Pop() });
                    break;
                case 0x86:
                {
                    var b = Pop();
                    var a = Pop();
                    Push(new[] { a, b });
                    break;
                }

                case 0x87:
                {
                    var c = Pop();
                    var b = Pop();
                    var a = Pop();
                    Push(new[] { a, b, c });
                    break;
                }

                case (byte)']':
                    Push(new List<object?>());
                    break;
                case (byte)'l':
                    Push(PopMark());
                    break;
                case (byte)'a': // APPEND
                {
                    var value = Pop();
                    ListOnTop("APPEND").Add(value);
                    break;
                }

                case (byte)'e': // APPENDS
                {
                    var items = PopMark();
                    ListOnTop("APPENDS").AddRange(items);
                    break;
                }

                case (byte)'}':
                    Push(new PyDict());
                    break;
                case (byte)'d':
                    Push(BuildDict(PopMark()));
                    break;
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    DictOnTop("SETITEM").Set(Key(key), value);
                    break;
                }

                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    var dict = DictOnTop("SETITEMS");
                    if (items.Count % 2 != 0)
                    {
                        throw Error("SETITEMS with an odd number of values");
                    }

                    for (var i = 0; i < items.Count; i += 2)
                    {
                        dict.Set(Key(items[i]), items[i + 1]);
                    }

                    break;
                }

                case 0x8f: // EMPTY_SET
                    Push(new PySet());
                    break;
                case 0x90: // ADDITEMS
                {
                    var items = PopMark();
                    if (Peek() is not PySet set)
                    {
                        throw Error("ADDITEMS on something that is not a set");
                    }

                    set.Items.AddRange(items);
                    break;
                }

                case 0x91: // FROZENSET
                {
                    var set = new PySet();
                    set.Items.AddRange(PopMark());
                    Push(set);
                    break;
                }

                case (byte)'c': // GLOBAL module\nname\n
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(ResolveGlobal(module, name));
                    break;
                }

                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                    {
                        throw Error("STACK_GLOBAL needs two strings");
                    }

                    Push(ResolveGlobal(m, n));
                    break;
                }

                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var callable = Pop();
                    Push(Reduce(callable, args));
                    break;
                }

                case 0x81: // NEWOBJ
                {
                    var args = Pop();
                    var type = Pop();
                    Push(NewObject(type, args));
                    break;
                }

                case 0x92: // NEWOBJ_EX
                {
                    Pop(); // kwargs: allowlisted classes are inert records, keyword arguments carry nothing we read
                    var args = Pop();
                    var type = Pop();
                    Push(NewObject(type, args));
                    break;
                }

                case (byte)'i': // INST module\nname\n (protocol 0/1 instance)
                {
                    var type = ResolveGlobal(ReadLine(), ReadLine());
                    Push(NewObject(type, PopMark().ToArray()));
                    break;
                }

                case (byte)'o': // OBJ
                {
                    var items = PopMark();
                    if (items.Count == 0)
                    {
                        throw Error("OBJ without a class");
                    }

                    Push(NewObject(items[0], items.Skip(1).ToArray()));
                    break;
                }

                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    Build(Peek(), state);
                    break;
                }

                case (byte)'p': // PUT (text index)
                    _memo[ParseMemoIndex(ReadLine())] = Peek();
                    break;
                case (byte)'q': // BINPUT
                    _memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'g': // GET
                    Push(Recall(ParseMemoIndex(ReadLine())));
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case (byte)'Q': // BINPERSID
                    Push(_persistentLoad(Pop()));
                    break;
                case (byte)'P': // PERSID (text)
                    Push(_persistentLoad(ReadLine()));
                    break;
                case 0x82 or 0x83 or 0x84:
                    throw Error("pickle uses the copyreg extension registry (EXT opcodes), which is not allowed");
                case 0x97 or 0x98:
                    throw Error("pickle uses out-of-band buffers (protocol 5), which torch.save never writes");
                default:
                    throw Error($"unknown or unsupported pickle opcode 0x{opcode:x2}");
            }
        }
    }

    private object? ResolveGlobal(string module, string name)
    {
        var found = TorchGlobals.Lookup(module, name)
            ?? throw Error($"forbidden global '{module}.{name}': not on the allowlist of torch checkpoint types, refused without running it");
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

    private List<object?> ListOnTop(string opcode) => Peek() as List<object?> ?? throw Error($"{opcode} on something that is not a list");

    private PyDict DictOnTop(string opcode) => Peek() as PyDict ?? throw Error($"{opcode} on something that is not a dict");

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count))
        {
            throw Error("stack underflow");
        }

        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count))
        {
            throw Error("stack underflow");
        }

        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
        {
            throw Error("no MARK on the stack");
        }

        var start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Error("unexpected end of pickle");
        }

        return _data[_position++];
    }

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw Error($"a {count}-byte value runs past the end of the {_data.Length}-byte pickle");
        }

        var span = _data.AsSpan(_position, (int)count);
        _position += (int)count;
        return span;
    }

    private int ReadInt32Length()
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        return length >= 0 ? length : throw Error($"negative length {length}");
    }

    private long ReadInt64Length()
    {
        var length = BinaryPrimitives.ReadInt64LittleEndian(Take(8));
        return length >= 0 ? length : throw Error($"negative length {length}");
    }

    private object ReadLong(int byteCount)
    {
        var bytes = Take(byteCount);
        if (byteCount == 0)
        {
            return 0L;
        }

        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string ReadUtf8(long count)
    {
        var bytes = Take(count);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("string is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0 || end - _position > 4096)
        {
            throw Error("text argument without an end of line");
        }

        var line = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private object ParseTextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? (value >= long.MinValue && value <= long.MaxValue ? (long)value : value)
            : throw Error($"'{text}' is not an integer"),
    };

    private long ParseMemoIndex(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : throw Error($"'{text}' is not a memo index");

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        PyGlobal g => $"'{g.FullName}'",
        PyObject o => $"an instance of '{o.Type.FullName}'",
        object?[] => "a tuple",
        List<object?> => "a list",
        PyDict => "a dict",
        string => "a string",
        _ => $"a {value.GetType().Name}",
    };
}
