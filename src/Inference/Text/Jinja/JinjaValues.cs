namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Jinja's Undefined: what a missing variable, key or attribute evaluates to. It prints as nothing, is false,
/// iterates as empty and has length 0; anything else done with it (attribute access, arithmetic, calls) is an
/// error naming what was missing, as in Jinja.
/// </summary>
internal sealed class JinjaUndefined(string message)
{
    /// <summary>The error Jinja raises when this value is used, e.g. <c>'x' is undefined</c>.</summary>
    public string Message { get; } = message;

    public static JinjaUndefined Name(string name) => new($"'{name}' is undefined");

    public static JinjaUndefined Attribute(object? target, object? attribute) =>
        new($"'{PythonOperations.TypeName(target)} object' has no attribute {PythonFormatting.Repr(attribute)}");

    public JinjaRuntimeError Error() => new(Message);
}

/// <summary>The object <c>namespace()</c> returns: the one thing a template may mutate across scopes (<c>set ns.x = ...</c>).</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>A callable value (global function, bound method, macro): positional and keyword arguments in, a value out.</summary>
internal delegate object? JinjaFunction(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> keywords);

internal sealed class JinjaCallable(string name, JinjaFunction function)
{
    public string Name { get; } = name;

    public JinjaFunction Function { get; } = function;
}

/// <summary>The <c>loop</c> variable inside a for loop.</summary>
internal sealed class JinjaLoop(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public IReadOnlyList<object?> Items { get; } = items;

    public object? ChangedLast { get; set; } = Sentinel;

    public static readonly object Sentinel = new();
}

/// <summary>An error found while rendering; the renderer adds the line and column of the node that raised it.</summary>
internal sealed class JinjaRuntimeError(string message, JinjaErrorKind kind = JinjaErrorKind.Runtime) : Exception(message)
{
    public JinjaErrorKind Kind { get; } = kind;
}

/// <summary>How Python orders and hashes dictionary keys: <c>1</c>, <c>1.0</c> and <c>True</c> are one key.</summary>
internal sealed class PythonKeyComparer : IEqualityComparer<object?>
{
    public static PythonKeyComparer Instance { get; } = new();

    public new bool Equals(object? x, object? y) => PythonOperations.AreEqual(x, y);

    public int GetHashCode(object? value) => value switch
    {
        null => 0,
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        string s => StringComparer.Ordinal.GetHashCode(s),
        _ => value.GetHashCode(),
    };
}
