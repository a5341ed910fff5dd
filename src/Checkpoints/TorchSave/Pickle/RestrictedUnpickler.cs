using System.Buffers.Binary;

namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// A pickle virtual machine for protocols 2–5 that builds only inert values. Globals resolve through
/// <see cref="TorchGlobals"/> (anything else is refused by name), REDUCE runs only the handful of torch
/// rebuild functions implemented in <see cref="TorchReducers"/>, and persistent ids resolve to storages
/// through a callback. Every length is checked against the remaining input, so a hostile pickle can cost
/// at most about its own size in memory.
/// </summary>
public sealed partial class RestrictedUnpickler
{
    private readonly PickleInput _input;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly PickleStack _stack;
    private readonly Dictionary<long, object?> _memo = [];
    private readonly PickleAllowlist _allowlist;

    private RestrictedUnpickler(string path, byte[] data, Func<object?, object?> persistentLoad, PickleAllowlist allowlist)
    {
        _input = new PickleInput(path, data);
        _stack = new PickleStack(_input);
        _persistentLoad = persistentLoad;
        _allowlist = allowlist;
    }

    /// <summary>
    /// Unpickles <paramref name="data"/>; <paramref name="persistentLoad"/> resolves persistent ids (storages);
    /// <paramref name="allowlist"/> says which globals the file kind may name.
    /// </summary>
    public static object? Load(string path, byte[] data, Func<object?, object?> persistentLoad, PickleAllowlist allowlist = PickleAllowlist.TorchSave)
    {
        var unpickler = new RestrictedUnpickler(path, data, persistentLoad, allowlist);
        try
        {
            return unpickler.Run();
        }
        catch (InvalidDataException e)
        {
            throw unpickler.Error(e.Message);
        }
    }

    private CheckpointFormatException Error(string problem) => _input.Error(problem);

    private object? Run()
    {
        while (true)
        {
            if (_input.AtEnd)
            {
                throw Error("pickle ends without STOP (truncated)");
            }

            var opcode = _input.ReadByte();
            if (_input.TryReadConstant(opcode, out var constant))
            {
                Push(constant);
                continue;
            }

            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = _input.ReadByte();
                    if (protocol > 5)
                    {
                        throw Error($"unsupported pickle protocol {protocol}");
                    }

                    break;
                case 0x95: // FRAME: an optimisation hint; the frame's bytes follow inline.
                    _input.ReadInt64Length();
                    break;
                case (byte)'.': // STOP
                    return _stack.Final();
                case (byte)'(':
                    _stack.Mark();
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
                    var module = _input.ReadLine();
                    var name = _input.ReadLine();
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
                    var type = ResolveGlobal(_input.ReadLine(), _input.ReadLine());
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
                    _memo[_input.ParseMemoIndex(_input.ReadLine())] = Peek();
                    break;
                case (byte)'q': // BINPUT
                    _memo[_input.ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(_input.Take(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'g': // GET
                    Push(Recall(_input.ParseMemoIndex(_input.ReadLine())));
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(_input.ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(_input.Take(4))));
                    break;
                case (byte)'Q': // BINPERSID
                    Push(_persistentLoad(Pop()));
                    break;
                case (byte)'P': // PERSID (text)
                    Push(_persistentLoad(_input.ReadLine()));
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

    private List<object?> ListOnTop(string opcode) => Peek() as List<object?> ?? throw Error($"{opcode} on something that is not a list");

    private PyDict DictOnTop(string opcode) => Peek() as PyDict ?? throw Error($"{opcode} on something that is not a dict");

    private void Push(object? value) => _stack.Push(value);

    private object? Pop() => _stack.Pop();

    private object? Peek() => _stack.Peek();

    private List<object?> PopMark() => _stack.PopMark();

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
