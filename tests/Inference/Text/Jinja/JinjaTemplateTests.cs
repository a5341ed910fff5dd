using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.Jinja;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.Jinja;

public sealed class JinjaTemplateTests
{
    private static string Render(string template, JsonObject? variables = null, JinjaLimits? limits = null) =>
        JinjaTemplate.Parse(template).Render((variables ?? []).ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone()), limits);

    public static TheoryData<string, int, int, string> SyntaxErrors => new()
    {
        { "line one\n{% if x %}\nno end", 3, 7, "expected 'elif' or 'else' or 'endif'" },
        { "{{ 1 + }}", 1, 8, "unexpected" },
        { "ok\n  {% frobnicate %}", 2, 6, "unknown or unsupported tag 'frobnicate'" },
        { "{{ 'unterminated }}", 1, 4, "unterminated string" },
        { "{% for x in y %}{% endif %}", 1, 20, "expected 'endfor' or 'else'" },
        { "a\nb\n{# never closed", 3, 1, "missing end of comment tag" },
        { "{{ x | }}", 1, 8, "expected a name" },
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public void A_syntax_error_names_its_line_and_column(string template, int line, int column, string message)
    {
        var error = Assert.Throws<JinjaException>(() => JinjaTemplate.Parse(template));

        Assert.Equal(JinjaErrorKind.Syntax, error.Kind);
        Assert.Contains(message, error.Detail, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"line {line}, column {column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runtime_error_names_the_innermost_expression()
    {
        var error = Assert.Throws<JinjaException>(() => Render("first line\n{{ messages[0].content.nothing.more }}", new JsonObject { ["messages"] = new JsonArray(new JsonObject()) }));

        Assert.Equal(JinjaErrorKind.Runtime, error.Kind);
        Assert.Equal(2, error.Line);
        Assert.Contains("'dict object' has no attribute 'content'", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_exception_carries_the_templates_own_message()
    {
        var error = Assert.Throws<JinjaException>(() => Render("{% if true %}\n  {{ raise_exception('Roles must alternate!') }}\n{% endif %}"));

        Assert.Equal(JinjaErrorKind.Raised, error.Kind);
        Assert.Equal("Roles must alternate!", error.Detail);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "steps")]
    [InlineData("{{ 'x' * 1000000000 }}", "exceed")]
    [InlineData("{% for i in range(1000000) %}{% endfor %}", "range too big")]
    [InlineData("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nested deeper")]
    [InlineData("{% set s = namespace(t='ab') %}{% for i in range(40) %}{% set s.t = s.t ~ s.t %}{% endfor %}", "exceed")]
    public void Runaway_templates_are_stopped_by_limits(string template, string message)
    {
        var error = Assert.Throws<JinjaException>(() => Render(template, limits: new JinjaLimits { MaxSteps = 200_000, MaxOutputLength = 1_000_000 }));

        Assert.Equal(JinjaErrorKind.Limit, error.Kind);
        Assert.Contains(message, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_beyond_the_limit_is_refused()
    {
        var error = Assert.Throws<JinjaException>(() => Render("{% for i in range(1000) %}0123456789{% endfor %}", limits: new JinjaLimits { MaxOutputLength = 5000 }));

        Assert.Equal(JinjaErrorKind.Limit, error.Kind);
    }

    [Fact]
    public void Deeply_nested_expressions_fail_cleanly_instead_of_overflowing_the_stack()
    {
        var deep = "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}";

        var error = Assert.Throws<JinjaException>(() => JinjaTemplate.Parse(deep));

        Assert.Equal(JinjaErrorKind.Syntax, error.Kind);
    }

    [Theory]
    [InlineData("{{ 1.5e300 * 10 }}", "1.5e+301")]
    [InlineData("{{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ -0.0 }} {{ 2.0 ** 0.5 }}", "1e+16 1000000000000000.0 0.0001 1e-05 -0.0 1.4142135623730951")]
    [InlineData("{{ [1, 2, 3, 4, 5][1:-1:2] }} {{ 'abcdef'[-2:] }} {{ (1, 2)[::-1] }}", "[2, 4] ef (2, 1)")]
    [InlineData("{{ '  a  b  '.split() }} {{ 'a,,b'.split(',') }} {{ 'x'.join(['1', '2']) }}", "['a', 'b'] ['a', '', 'b'] 1x2")]
    [InlineData("{{ {'é': '\\n', 'q': \"'\"} }}", "{'é': '\\n', 'q': \"'\"}")]
    public void Values_print_as_python_prints_them(string template, string expected) => Assert.Equal(expected, Render(template));

    /// <summary>Bounded, seeded mutations of real templates: every outcome is a render or a <see cref="JinjaException"/>.</summary>
    [Fact]
    public void Mutated_templates_render_or_fail_with_a_template_error()
    {
        var sources = Directory.GetFiles(Path.Combine(TextFixtures.Folder, "Templates"), "*.jinja").Select(File.ReadAllText).ToList();
        var conversations = JsonNode.Parse(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Chat", "conversations.json")))!.AsArray();
        var random = new Random(424242);
        var outcomes = new Dictionary<string, int>();
        for (var iteration = 0; iteration < 600; iteration++)
        {
            var source = Mutate(sources[random.Next(sources.Count)], random);
            var conversation = conversations[random.Next(conversations.Count)]!;
            var variables = new Dictionary<string, JsonNode?>
            {
                ["messages"] = conversation["messages"]!.DeepClone(),
                ["add_generation_prompt"] = true,
                ["tools"] = conversation["variables"]?["tools"]?.DeepClone(),
                ["bos_token"] = "<s>",
            };
            try
            {
                JinjaTemplate.Parse(source).Render(variables, new JinjaLimits { MaxSteps = 100_000, MaxOutputLength = 200_000 });
                outcomes["rendered"] = outcomes.GetValueOrDefault("rendered") + 1;
            }
            catch (JinjaException e)
            {
                outcomes[e.Kind.ToString()] = outcomes.GetValueOrDefault(e.Kind.ToString()) + 1;
            }
        }

        Assert.True(outcomes.GetValueOrDefault("Syntax") > 50 && outcomes.GetValueOrDefault("rendered") > 50, string.Join(", ", outcomes));
    }

    private const string Pieces = "{}%#-+()[]'\".|,=~*/ \n";

    private static string Mutate(string source, Random random)
    {
        var chars = source.ToList();
        for (var edits = random.Next(1, 4); edits > 0 && chars.Count > 0; edits--)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0: chars[at] = Pieces[random.Next(Pieces.Length)]; break;
                case 1: chars.RemoveRange(at, Math.Min(random.Next(1, 12), chars.Count - at)); break;
                default: chars.InsertRange(at, source.Substring(random.Next(source.Length - 30), 30)); break;
            }
        }

        return new string([.. chars]);
    }
}
