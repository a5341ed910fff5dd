namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>A template node; every node knows where it starts in the source, for error messages.</summary>
internal abstract record JinjaNode(int Line, int Column);

// ---- statements ----

internal sealed record TextNode(string Text, int Line, int Column) : JinjaNode(Line, Column);

internal sealed record OutputNode(JinjaExpression Expression, int Line, int Column) : JinjaNode(Line, Column);

internal sealed record IfNode(IReadOnlyList<(JinjaExpression Condition, IReadOnlyList<JinjaNode> Body)> Branches, IReadOnlyList<JinjaNode> Else, int Line, int Column)
    : JinjaNode(Line, Column);

internal sealed record ForNode(
    AssignTarget Target, JinjaExpression Iterable, JinjaExpression? Filter, IReadOnlyList<JinjaNode> Body, IReadOnlyList<JinjaNode> Else, int Line, int Column)
    : JinjaNode(Line, Column);

internal sealed record SetNode(AssignTarget Target, JinjaExpression Value, int Line, int Column) : JinjaNode(Line, Column);

/// <summary><c>{% set x %}...{% endset %}</c>, optionally piped through filters.</summary>
internal sealed record SetBlockNode(AssignTarget Target, IReadOnlyList<JinjaNode> Body, IReadOnlyList<FilterExpression> Filters, int Line, int Column)
    : JinjaNode(Line, Column);

internal sealed record MacroNode(string Name, IReadOnlyList<(string Name, JinjaExpression? Default)> Parameters, IReadOnlyList<JinjaNode> Body, int Line, int Column)
    : JinjaNode(Line, Column);

internal sealed record FilterBlockNode(IReadOnlyList<FilterExpression> Filters, IReadOnlyList<JinjaNode> Body, int Line, int Column) : JinjaNode(Line, Column);

internal sealed record WithNode(IReadOnlyList<(AssignTarget Target, JinjaExpression Value)> Assignments, IReadOnlyList<JinjaNode> Body, int Line, int Column)
    : JinjaNode(Line, Column);

/// <summary>transformers' <c>{% generation %}</c> block: it only marks assistant text, so it renders its body.</summary>
internal sealed record GenerationNode(IReadOnlyList<JinjaNode> Body, int Line, int Column) : JinjaNode(Line, Column);

internal sealed record BreakNode(int Line, int Column) : JinjaNode(Line, Column);

internal sealed record ContinueNode(int Line, int Column) : JinjaNode(Line, Column);

// ---- assignment targets ----

internal abstract record AssignTarget(int Line, int Column);

internal sealed record NameTarget(string Name, int Line, int Column) : AssignTarget(Line, Column);

internal sealed record TupleTarget(IReadOnlyList<AssignTarget> Items, int Line, int Column) : AssignTarget(Line, Column);

/// <summary><c>ns.attr</c>: the only attribute a template may assign, on a <c>namespace()</c>.</summary>
internal sealed record NamespaceTarget(string Name, string Attribute, int Line, int Column) : AssignTarget(Line, Column);

// ---- expressions ----

internal abstract record JinjaExpression(int Line, int Column) : JinjaNode(Line, Column);

internal sealed record ConstantExpression(object? Value, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record NameExpression(string Name, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record ListExpression(IReadOnlyList<JinjaExpression> Items, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record TupleExpression(IReadOnlyList<JinjaExpression> Items, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record DictExpression(IReadOnlyList<(JinjaExpression Key, JinjaExpression Value)> Items, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record AttributeExpression(JinjaExpression Target, string Attribute, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record ItemExpression(JinjaExpression Target, JinjaExpression Key, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record SliceExpression(JinjaExpression Target, JinjaExpression? Start, JinjaExpression? Stop, JinjaExpression? Step, int Line, int Column)
    : JinjaExpression(Line, Column);

internal sealed record CallArguments(IReadOnlyList<JinjaExpression> Positional, IReadOnlyList<(string Name, JinjaExpression Value)> Keywords);

internal sealed record CallExpression(JinjaExpression Callee, CallArguments Arguments, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record FilterExpression(JinjaExpression? Target, string Name, CallArguments Arguments, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record TestExpression(JinjaExpression Target, string Name, CallArguments Arguments, bool Negated, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record UnaryExpression(string Operator, JinjaExpression Operand, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record BinaryExpression(string Operator, JinjaExpression Left, JinjaExpression Right, int Line, int Column) : JinjaExpression(Line, Column);

internal sealed record CompareExpression(JinjaExpression First, IReadOnlyList<(string Operator, JinjaExpression Operand)> Rest, int Line, int Column)
    : JinjaExpression(Line, Column);

internal sealed record ConditionalExpression(JinjaExpression Condition, JinjaExpression Then, JinjaExpression? Else, int Line, int Column)
    : JinjaExpression(Line, Column);
