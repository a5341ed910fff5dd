namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>Jinja's built-in tests (<c>x is defined</c>, <c>x is string</c>, <c>x is equalto 3</c>, ...).</summary>
internal static class JinjaTests
{
    public static bool Apply(string name, object? value, IReadOnlyList<object?> args)
    {
        object? Arg() => args.Count > 0 ? args[0] : throw new JinjaRuntimeError($"test '{name}' needs an argument");

        return name switch
        {
            "defined" => value is not JinjaUndefined,
            "undefined" => value is JinjaUndefined,
            "none" => value is null,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "string" => value is string,
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "mapping" => value is System.Collections.Generic.OrderedDictionary<object, object?> or JinjaNamespace,
            "iterable" => value is string or List<object?> or object?[] or System.Collections.Generic.OrderedDictionary<object, object?> or JinjaUndefined,
            "sequence" => value is string or List<object?> or object?[] or System.Collections.Generic.OrderedDictionary<object, object?>,
            "callable" => value is JinjaCallable,
            "odd" => PythonOperations.ToLong(value) % 2 != 0,
            "even" => PythonOperations.ToLong(value) % 2 == 0,
            "divisibleby" => PythonOperations.ToLong(value) % PythonOperations.ToLong(Arg()) == 0,
            "lower" => value is string s && s.Any(char.IsLetter) && !s.Any(char.IsUpper),
            "upper" => value is string u && u.Any(char.IsLetter) && !u.Any(char.IsLower),
            "eq" or "equalto" or "==" => PythonOperations.AreEqual(value, Arg()),
            "ne" or "!=" => !PythonOperations.AreEqual(value, Arg()),
            "lt" or "lessthan" or "<" => PythonOperations.Compare(value, Arg(), "<") < 0,
            "le" or "<=" => PythonOperations.Compare(value, Arg(), "<=") <= 0,
            "gt" or "greaterthan" or ">" => PythonOperations.Compare(value, Arg(), ">") > 0,
            "ge" or ">=" => PythonOperations.Compare(value, Arg(), ">=") >= 0,
            "in" => PythonOperations.Contains(Arg(), value),
            "sameas" => ReferenceEquals(value, Arg()) || (value is null or bool && PythonOperations.AreEqual(value, Arg()) && value?.GetType() == Arg()?.GetType()),
            "escaped" => false,
            _ => throw new JinjaRuntimeError($"no test named '{name}'"),
        };
    }
}
