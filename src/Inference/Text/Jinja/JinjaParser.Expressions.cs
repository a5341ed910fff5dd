using System.Globalization;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>The expression half of <see cref="JinjaParser"/>: Jinja's precedence climbing from conditional down to primaries, filters and tests.</summary>
internal sealed partial class JinjaParser
{
    /// <summary>An expression, or a tuple when commas follow (as in <c>{{ a, b }}</c> or <c>set a = 1, 2</c>).</summary>
    private JinjaExpression ParseTuple(bool withConditional = true)
    {
        var first = Current;
        var items = new List<JinjaExpression> { withConditional ? ParseExpression() : ParseOr() };
        var trailingComma = false;
        while (Current.IsOperator(","))
        {
            Next();
            trailingComma = true;
            if (IsTupleEnd())
            {
                break;
            }

            items.Add(withConditional ? ParseExpression() : ParseOr());
            trailingComma = false;
        }

        return items.Count == 1 && !trailingComma ? items[0] : new TupleExpression(items, first.Line, first.Column);
    }

    private bool IsTupleEnd() =>
        Current.Kind is JinjaTokenKind.VariableEnd or JinjaTokenKind.BlockEnd or JinjaTokenKind.End || Current.IsOperator(")") || Current.IsName("if");

    private void Enter()
    {
        if (++_depth > MaxNesting)
        {
            throw Error($"nested deeper than {MaxNesting} levels", Current);
        }
    }

    private JinjaExpression ParseExpression()
    {
        Enter();

        var expression = ParseOr();
        while (Current.IsName("if"))
        {
            var token = Next();
            var condition = ParseOr();
            JinjaExpression? otherwise = null;
            if (Current.IsName("else"))
            {
                Next();
                otherwise = ParseExpression();
            }

            expression = new ConditionalExpression(condition, expression, otherwise, token.Line, token.Column);
        }

        _depth--;
        return expression;
    }

    private JinjaExpression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var token = Next();
            left = new BinaryExpression("or", left, ParseAnd(), token.Line, token.Column);
        }

        return left;
    }

    private JinjaExpression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var token = Next();
            left = new BinaryExpression("and", left, ParseNot(), token.Line, token.Column);
        }

        return left;
    }

    private JinjaExpression ParseNot()
    {
        if (Current.IsName("not"))
        {
            var token = Next();
            Enter();
            var operand = ParseNot();
            _depth--;
            return new UnaryExpression("not", operand, token.Line, token.Column);
        }

        return ParseCompare();
    }

    private JinjaExpression ParseCompare()
    {
        var first = ParseMath1();
        var rest = new List<(string, JinjaExpression)>();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                rest.Add((Next().Value, ParseMath1()));
            }
            else if (Current.IsName("in"))
            {
                Next();
                rest.Add(("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek(1).IsName("in"))
            {
                Next();
                Next();
                rest.Add(("notin", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpression(first, rest, first.Line, first.Column);
    }

    private JinjaExpression ParseMath1() => ParseLeftAssociative(ParseConcat, "+", "-");

    private JinjaExpression ParseConcat() => ParseLeftAssociative(ParseMath2, "~");

    private JinjaExpression ParseMath2() => ParseLeftAssociative(ParsePow, "*", "/", "//", "%");

    private JinjaExpression ParsePow() => ParseLeftAssociative(() => ParseUnary(withFilter: true), "**");

    private JinjaExpression ParseLeftAssociative(Func<JinjaExpression> operand, params string[] operators)
    {
        var left = operand();
        while (Current.Kind == JinjaTokenKind.Operator && operators.Contains(Current.Value))
        {
            var token = Next();
            left = new BinaryExpression(token.Value, left, operand(), token.Line, token.Column);
        }

        return left;
    }

    private JinjaExpression ParseUnary(bool withFilter)
    {
        JinjaExpression node;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            var token = Next();
            Enter();
            node = new UnaryExpression(token.Value, ParseUnary(withFilter: false), token.Line, token.Column);
            _depth--;
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterAndTests(node) : node;
    }

    private JinjaExpression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new ConstantExpression(true, token.Line, token.Column),
                    "false" or "False" => new ConstantExpression(false, token.Line, token.Column),
                    "none" or "None" => new ConstantExpression(null, token.Line, token.Column),
                    _ => new NameExpression(token.Value, token.Line, token.Column),
                };
            case JinjaTokenKind.String:
                var text = token.Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += Next().Value;
                }

                return new ConstantExpression(text, token.Line, token.Column);
            case JinjaTokenKind.Integer:
                return long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
                    ? new ConstantExpression(integer, token.Line, token.Column)
                    : throw Error($"integer {token.Value} is out of range", token);
            case JinjaTokenKind.Float:
                return new ConstantExpression(double.Parse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture), token.Line, token.Column);
            case JinjaTokenKind.Operator when token.Value == "(":
                if (Current.IsOperator(")"))
                {
                    Next();
                    return new TupleExpression([], token.Line, token.Column);
                }

                var inner = ParseTuple();
                ExpectOperator(")");
                return inner;
            case JinjaTokenKind.Operator when token.Value == "[":
                var items = ParseSequence("]");
                return new ListExpression(items, token.Line, token.Column);
            case JinjaTokenKind.Operator when token.Value == "{":
                var pairs = new List<(JinjaExpression, JinjaExpression)>();
                while (!Current.IsOperator("}"))
                {
                    if (pairs.Count > 0)
                    {
                        ExpectOperator(",");
                        if (Current.IsOperator("}"))
                        {
                            break;
                        }
                    }

                    var key = ParseExpression();
                    ExpectOperator(":");
                    pairs.Add((key, ParseExpression()));
                }

                Next();
                return new DictExpression(pairs, token.Line, token.Column);
            default:
                throw Error($"unexpected {token}", token);
        }
    }

    private List<JinjaExpression> ParseSequence(string close)
    {
        var items = new List<JinjaExpression>();
        while (!Current.IsOperator(close))
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(close))
                {
                    break;
                }
            }

            items.Add(ParseExpression());
        }

        Next();
        return items;
    }
}
