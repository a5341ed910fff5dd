namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Jinja2's grammar (parser.py) for the statements chat templates use: if/elif/else, for (with tuple targets,
/// an inline <c>if</c> filter and <c>else</c>), set (and block set), macro, filter, with, generation,
/// break/continue; and the full expression grammar with Jinja's precedence: conditional, or, and, not,
/// comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary, postfix, filters, tests.
/// </summary>
internal sealed partial class JinjaParser
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
