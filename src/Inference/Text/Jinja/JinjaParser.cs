using System.Globalization;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Jinja2's grammar (parser.py) for the statements chat templates use: if/elif/else, for (with tuple targets,
/// an inline <c>if</c> filter and <c>else</c>), set (and block set), macro, filter, with, generation,
/// break/continue; and the full expression grammar with Jinja's precedence: conditional, or, and, not,
/// comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary, postfix, filters, tests.
/// </summary>
internal sealed class JinjaParser
{
    private const int MaxNesting = 200;

    private readonly List<JinjaToken> _tokens;
    private int _index;
    private int _depth;

    private JinjaParser(List<JinjaToken> tokens)
    {
        _tokens = tokens;
    }

    public static IReadOnlyList<JinjaNode> Parse(string template)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(template));
        var body = parser.ParseBody([]);
        if (parser.Current.Kind != JinjaTokenKind.End)
        {
            throw parser.Error($"unexpected '{parser.Peek(1).Value}'", parser.Current);
        }

        return body;
    }

    private JinjaToken Current => _tokens[_index];

    private JinjaToken Peek(int offset) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private JinjaToken Next() => _tokens[_index++];

    /// <summary>Statements until a block tag whose name is in <paramref name="endTags"/> (left unconsumed) or the end.</summary>
    private List<JinjaNode> ParseBody(string[] endTags)
    {
        Enter();

        var body = new List<JinjaNode>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    if (endTags.Length > 0)
                    {
                        throw Error($"unexpected end of template, expected {string.Join(" or ", endTags.Select(t => $"'{t}'"))}", token);
                    }

                    _depth--;
                    return body;
                case JinjaTokenKind.Data:
                    body.Add(new TextNode(Next().Value, token.Line, token.Column));
                    break;
                case JinjaTokenKind.VariableBegin:
                    Next();
                    body.Add(new OutputNode(ParseTuple(), token.Line, token.Column));
                    Expect(JinjaTokenKind.VariableEnd);
                    break;
                case JinjaTokenKind.BlockBegin:
                    var name = Peek(1);
                    if (name.Kind == JinjaTokenKind.Name && endTags.Contains(name.Value))
                    {
                        _depth--;
                        return body;
                    }

                    if (name.Kind == JinjaTokenKind.Name && (name.Value.StartsWith("end", StringComparison.Ordinal) || name.Value is "elif" or "else"))
                    {
                        var expected = endTags.Length == 0 ? "" : $", expected {string.Join(" or ", endTags.Select(t => $"'{t}'"))}";
                        throw Error($"unexpected '{name.Value}'{expected}", name);
                    }

                    Next();
                    body.Add(ParseStatement());
                    break;
                default:
                    throw Error($"unexpected {token}", token);
            }
        }
    }

    private JinjaNode ParseStatement()
    {
        var token = Expect(JinjaTokenKind.Name);
        switch (token.Value)
        {
            case "if":
                return ParseIf(token);
            case "for":
                return ParseFor(token);
            case "set":
                return ParseSet(token);
            case "macro":
                return ParseMacro(token);
            case "filter":
                var filters = ParseFilterChain(null);
                Expect(JinjaTokenKind.BlockEnd);
                var filtered = ParseBody(["endfilter"]);
                ExpectEndTag("endfilter");
                return new FilterBlockNode(filters, filtered, token.Line, token.Column);
            case "with":
                return ParseWith(token);
            case "generation":
                Expect(JinjaTokenKind.BlockEnd);
                var generated = ParseBody(["endgeneration"]);
                ExpectEndTag("endgeneration");
                return new GenerationNode(generated, token.Line, token.Column);
            case "break":
                Expect(JinjaTokenKind.BlockEnd);
                return new BreakNode(token.Line, token.Column);
            case "continue":
                Expect(JinjaTokenKind.BlockEnd);
                return new ContinueNode(token.Line, token.Column);
            default:
                throw Error($"unknown or unsupported tag '{token.Value}'", token);
        }
    }

    private IfNode ParseIf(JinjaToken start)
    {
        var branches = new List<(JinjaExpression, IReadOnlyList<JinjaNode>)>();
        IReadOnlyList<JinjaNode> otherwise = [];
        var condition = ParseExpression();
        while (true)
        {
            Expect(JinjaTokenKind.BlockEnd);
            branches.Add((condition, ParseBody(["elif", "else", "endif"])));
            Next();
            var tag = Next();
            if (tag.Value == "elif")
            {
                condition = ParseExpression();
                continue;
            }

            if (tag.Value == "else")
            {
                Expect(JinjaTokenKind.BlockEnd);
                otherwise = ParseBody(["endif"]);
                ExpectEndTag("endif");
            }
            else
            {
                Expect(JinjaTokenKind.BlockEnd);
            }

            return new IfNode(branches, otherwise, start.Line, start.Column);
        }
    }

    private ForNode ParseFor(JinjaToken start)
    {
        var target = ParseAssignTarget(allowNamespace: false);
        ExpectName("in");
        var iterable = ParseTuple(withConditional: false);
        JinjaExpression? filter = null;
        if (Current.IsName("if"))
        {
            Next();
            filter = ParseExpression();
        }

        if (Current.IsName("recursive"))
        {
            throw Error("recursive loops are not supported", Current);
        }

        Expect(JinjaTokenKind.BlockEnd);
        var body = ParseBody(["endfor", "else"]);
        IReadOnlyList<JinjaNode> otherwise = [];
        Next();
        if (Next().Value == "else")
        {
            Expect(JinjaTokenKind.BlockEnd);
            otherwise = ParseBody(["endfor"]);
            ExpectEndTag("endfor");
        }
        else
        {
            Expect(JinjaTokenKind.BlockEnd);
        }

        return new ForNode(target, iterable, filter, body, otherwise, start.Line, start.Column);
    }

    private JinjaNode ParseSet(JinjaToken start)
    {
        var target = ParseAssignTarget(allowNamespace: true);
        if (Current.IsOperator("="))
        {
            Next();
            var value = ParseTuple();
            Expect(JinjaTokenKind.BlockEnd);
            return new SetNode(target, value, start.Line, start.Column);
        }

        List<FilterExpression> filters = [];
        if (Current.IsOperator("|"))
        {
            Next();
            filters = ParseFilterChain(null);
        }

        Expect(JinjaTokenKind.BlockEnd);
        var body = ParseBody(["endset"]);
        ExpectEndTag("endset");
        return new SetBlockNode(target, body, filters, start.Line, start.Column);
    }

    private MacroNode ParseMacro(JinjaToken start)
    {
        var name = Expect(JinjaTokenKind.Name).Value;
        ExpectOperator("(");
        var parameters = new List<(string, JinjaExpression?)>();
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            var parameter = Expect(JinjaTokenKind.Name).Value;
            JinjaExpression? defaultValue = null;
            if (Current.IsOperator("="))
            {
                Next();
                defaultValue = ParseExpression();
            }

            parameters.Add((parameter, defaultValue));
        }

        Next();
        Expect(JinjaTokenKind.BlockEnd);
        var body = ParseBody(["endmacro"]);
        ExpectEndTag("endmacro");
        return new MacroNode(name, parameters, body, start.Line, start.Column);
    }

    private WithNode ParseWith(JinjaToken start)
    {
        var assignments = new List<(AssignTarget, JinjaExpression)>();
        while (Current.Kind != JinjaTokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
            {
                ExpectOperator(",");
            }

            var target = ParseAssignTarget(allowNamespace: false);
            ExpectOperator("=");
            assignments.Add((target, ParseExpression()));
        }

        Next();
        var body = ParseBody(["endwith"]);
        ExpectEndTag("endwith");
        return new WithNode(assignments, body, start.Line, start.Column);
    }

    private AssignTarget ParseAssignTarget(bool allowNamespace)
    {
        var first = Current;
        var items = new List<AssignTarget>();
        do
        {
            if (items.Count > 0)
            {
                Next();
            }

            var name = Expect(JinjaTokenKind.Name);
            if (allowNamespace && Current.IsOperator("."))
            {
                Next();
                items.Add(new NamespaceTarget(name.Value, Expect(JinjaTokenKind.Name).Value, name.Line, name.Column));
            }
            else
            {
                items.Add(new NameTarget(name.Value, name.Line, name.Column));
            }
        }
        while (Current.IsOperator(","));

        return items.Count == 1 ? items[0] : new TupleTarget(items, first.Line, first.Column);
    }

    // ---- expressions ----

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

    private JinjaToken Expect(JinjaTokenKind kind)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            var expected = kind switch
            {
                JinjaTokenKind.BlockEnd => "'%}'",
                JinjaTokenKind.VariableEnd => "'}}'",
                JinjaTokenKind.Name => "a name",
                _ => kind.ToString(),
            };
            throw Error($"expected {expected}, found {token}", token);
        }

        return Next();
    }

    private void ExpectOperator(string op)
    {
        if (!Current.IsOperator(op))
        {
            throw Error($"expected '{op}', found {Current}", Current);
        }

        Next();
    }

    private void ExpectName(string name)
    {
        if (!Current.IsName(name))
        {
            throw Error($"expected '{name}', found {Current}", Current);
        }

        Next();
    }

    private void ExpectEndTag(string name)
    {
        Expect(JinjaTokenKind.BlockBegin);
        ExpectName(name);
        Expect(JinjaTokenKind.BlockEnd);
    }

    private JinjaException Error(string message, JinjaToken at) => new(JinjaErrorKind.Syntax, message, at.Line, at.Column);
}
