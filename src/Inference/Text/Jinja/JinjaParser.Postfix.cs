using System.Globalization;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>What may follow a primary in a <see cref="JinjaParser"/> expression: attribute access, subscripts and slices, calls, filters and tests.</summary>
internal sealed partial class JinjaParser
{
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
