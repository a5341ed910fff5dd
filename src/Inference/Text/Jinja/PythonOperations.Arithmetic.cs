namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>Python's arithmetic on template values: +, -, *, /, //, %, ** with overflow and length limits.</summary>
internal static partial class PythonOperations
{
    public static object? Add(object? left, object? right, int maxLength)
    {
        ThrowIfUndefined(left, right);
        return (left, right) switch
        {
            (string a, string b) => CheckLength(a.Length + (long)b.Length, maxLength) ? a + b : null,
            (List<object?> a, List<object?> b) => new List<object?>(a.Concat(b)),
            (object?[] a, object?[] b) => a.Concat(b).ToArray(),
            _ when IsNumber(left) && IsNumber(right) => left is double || right is double
                ? (object)(ToDouble(left) + ToDouble(right))
                : Checked(() => checked(ToLong(left) + ToLong(right))),
            _ => throw Unsupported("+", left, right),
        };
    }

    public static object? Arithmetic(string op, object? left, object? right, int maxLength)
    {
        ThrowIfUndefined(left, right);
        if (op == "*" && (left is string or List<object?> || right is string or List<object?>))
        {
            return Repeat(left, right, maxLength);
        }

        if (!IsNumber(left) || !IsNumber(right))
        {
            throw Unsupported(op, left, right);
        }

        var floating = left is double || right is double;
        switch (op)
        {
            case "-":
                return floating ? (object)(ToDouble(left) - ToDouble(right)) : Checked(() => checked(ToLong(left) - ToLong(right)));
            case "*":
                return floating ? (object)(ToDouble(left) * ToDouble(right)) : Checked(() => checked(ToLong(left) * ToLong(right)));
            case "/":
                return ToDouble(right) == 0 ? throw new JinjaRuntimeError("division by zero") : ToDouble(left) / ToDouble(right);
            case "//":
                if (ToDouble(right) == 0)
                {
                    throw new JinjaRuntimeError("integer division or modulo by zero");
                }

                return floating ? (object)Math.Floor(ToDouble(left) / ToDouble(right)) : FloorDivide(ToLong(left), ToLong(right));
            case "%":
                if (ToDouble(right) == 0)
                {
                    throw new JinjaRuntimeError("integer division or modulo by zero");
                }

                if (floating)
                {
                    var (a, b) = (ToDouble(left), ToDouble(right));
                    return a - (b * Math.Floor(a / b));
                }

                var (x, y) = (ToLong(left), ToLong(right));
                return x - (y * FloorDivide(x, y));
            case "**":
                if (!floating && ToLong(right) >= 0)
                {
                    var result = 1L;
                    var (baseValue, exponent) = (ToLong(left), ToLong(right));
                    for (var i = 0L; i < exponent; i++)
                    {
                        result = Checked(() => checked(result * baseValue));
                    }

                    return result;
                }

                return Math.Pow(ToDouble(left), ToDouble(right));
            default:
                throw Unsupported(op, left, right);
        }
    }

    private static long FloorDivide(long a, long b)
    {
        var quotient = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? quotient - 1 : quotient;
    }

    private static object? Repeat(object? left, object? right, int maxLength)
    {
        var (sequence, count) = left is string or List<object?> ? (left, right) : (right, left);
        if (count is not (long or bool))
        {
            throw Unsupported("*", left, right);
        }

        var times = Math.Max(0, ToLong(count));
        switch (sequence)
        {
            case string s:
                CheckLength(s.Length * times, maxLength);
                return string.Concat(Enumerable.Repeat(s, (int)times));
            case List<object?> list:
                CheckLength(list.Count * times, maxLength);
                return Enumerable.Range(0, (int)times).SelectMany(_ => list).ToList();
            default:
                throw Unsupported("*", left, right);
        }
    }

    private static bool CheckLength(long length, int maxLength) =>
        length <= maxLength ? true : throw new JinjaRuntimeError($"a value would exceed {maxLength} characters or items", JinjaErrorKind.Limit);

    private static long Checked(Func<long> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new JinjaRuntimeError("integer overflow (Python integers are unbounded; this engine stops at 64 bits)");
        }
    }

    private static JinjaRuntimeError Unsupported(string op, object? left, object? right) =>
        new($"unsupported operand type(s) for {op}: '{TypeName(left)}' and '{TypeName(right)}'");
}
