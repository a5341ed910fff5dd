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

    private JinjaExpression ParsePostfix(JinjaExpression node)
    {
        while (true)
        {
            if (Current.IsOperator("."))
            {
                var dot = Next();
                var attribute = Next();
                node = attribute.Kind switch
                {
                    JinjaTokenKind.Name => new AttributeExpression(node, attribute.Value, dot.Line, dot.Column),
                    JinjaTokenKind.Integer => new ItemExpression(node, new ConstantExpression(long.Parse(attribute.Value, CultureInfo.InvariantCulture), attribute.Line, attribute.Column), dot.Line, dot.Column),
                    _ => throw Error($"expected an attribute name after '.', found {attribute}", attribute),
                };
            }
            else if (Current.IsOperator("["))
            {
                node = ParseSubscript(node, Next());
            }
            else if (Current.IsOperator("("))
            {
                var open = Next();
                node = new CallExpression(node, ParseCallArguments(), open.Line, open.Column);
            }
            else
            {
                return node;
            }
        }
    }

    private JinjaExpression ParseSubscript(JinjaExpression target, JinjaToken open)
    {
        JinjaExpression? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (Current.IsOperator("]"))
            {
                Next();
                return new ItemExpression(target, start, open.Line, open.Column);
            }
        }

        ExpectOperator(":");
        JinjaExpression? stop = null, step = null;
        if (!Current.IsOperator("]") && !Current.IsOperator(":"))
        {
            stop = ParseExpression();
        }

        if (Current.IsOperator(":"))
        {
            Next();
            if (!Current.IsOperator("]"))
            {
                step = ParseExpression();
            }
        }

        ExpectOperator("]");
        return new SliceExpression(target, start, stop, step, open.Line, open.Column);
    }

    /// <summary>After the opening parenthesis: positional arguments, then <c>name=value</c> keywords, then ')'.</summary>
    private CallArguments ParseCallArguments()
    {
        var positional = new List<JinjaExpression>();
        var keywords = new List<(string, JinjaExpression)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + keywords.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.Kind == JinjaTokenKind.Name && Peek(1).IsOperator("="))
            {
                var name = Next().Value;
                Next();
                keywords.Add((name, ParseExpression()));
            }
            else if (keywords.Count > 0)
            {
                throw Error("a positional argument follows a keyword argument", Current);
            }
            else
            {
                positional.Add(ParseExpression());
            }
        }

        Next();
        return new CallArguments(positional, keywords);
    }

    private JinjaExpression ParseFilterAndTests(JinjaExpression node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                node = ParseFilterChain(node)[^1];
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                var open = Next();
                node = new CallExpression(node, ParseCallArguments(), open.Line, open.Column);
            }
            else
            {
                return node;
            }
        }
    }

    /// <summary><c>| f | g(x)</c>: each filter wraps the previous one; returns them all, the last being the outermost.</summary>
    private List<FilterExpression> ParseFilterChain(JinjaExpression? target)
    {
        var filters = new List<FilterExpression>();
        var first = true;
        while (first || Current.IsOperator("|"))
        {
            if (!first || target is not null)
            {
                ExpectOperator("|");
            }

            first = false;
            var name = Expect(JinjaTokenKind.Name);
            var fullName = name.Value;
            while (Current.IsOperator("."))
            {
                Next();
                fullName += "." + Expect(JinjaTokenKind.Name).Value;
            }

            var arguments = Current.IsOperator("(") ? ParseCallArgumentsAfterOpen() : new CallArguments([], []);
            target = new FilterExpression(target, fullName, arguments, name.Line, name.Column);
            filters.Add((FilterExpression)target);
        }

        return filters;
    }

    private CallArguments ParseCallArgumentsAfterOpen()
    {
        Next();
        return ParseCallArguments();
    }

    private JinjaExpression ParseTest(JinjaExpression node)
    {
        var token = Next();
        var negated = false;
        if (Current.IsName("not"))
        {
            Next();
            negated = true;
        }

        var name = Expect(JinjaTokenKind.Name).Value;
        CallArguments arguments;
        if (Current.IsOperator("("))
        {
            arguments = ParseCallArgumentsAfterOpen();
        }
        else if ((Current.Kind is JinjaTokenKind.Name or JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                  || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is"))
            {
                throw Error("you cannot chain multiple tests with 'is'", Current);
            }

            arguments = new CallArguments([ParsePostfix(ParsePrimary())], []);
        }
        else
        {
            arguments = new CallArguments([], []);
        }

        return new TestExpression(node, name, arguments, negated, token.Line, token.Column);
    }
}
