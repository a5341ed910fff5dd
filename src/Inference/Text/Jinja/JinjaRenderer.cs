using System.Runtime.CompilerServices;
using System.Text;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Walks a parsed template. Scoping follows Jinja: a for-loop body gets a fresh scope per iteration (a
/// <c>set</c> inside never leaks out or into the next iteration), <c>if</c> opens none, macros and
/// <c>with</c> open their own; only <c>namespace()</c> objects carry state across scopes. Runtime errors get
/// the line and column of the innermost node that raised them.
/// </summary>
internal sealed class JinjaRenderer(JinjaLimits limits)
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    private long _steps;
    private int _callDepth;

    public sealed class Scope(Scope? parent)
    {
        public Dictionary<string, object?> Variables { get; } = new(StringComparer.Ordinal);

        public object? Lookup(string name)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Variables.TryGetValue(name, out var value))
                {
                    return value;
                }
            }

            return JinjaUndefined.Name(name);
        }

        public Scope? Parent { get; } = parent;
    }

    public string Render(IReadOnlyList<JinjaNode> template, Scope globals)
    {
        var output = new StringBuilder();
        var flow = Execute(template, new Scope(globals), output);
        return flow == Flow.Normal ? output.ToString() : throw new JinjaException(JinjaErrorKind.Syntax, "'break' or 'continue' outside a loop", 1, 1);
    }

    private Flow Execute(IReadOnlyList<JinjaNode> body, Scope scope, StringBuilder output)
    {
        foreach (var node in body)
        {
            Step(node);
            var flow = node switch
            {
                BreakNode => Flow.Break,
                ContinueNode => Flow.Continue,
                _ => Guard(node, () => ExecuteStatement(node, scope, output)),
            };
            if (output.Length > limits.MaxOutputLength)
            {
                throw new JinjaException(JinjaErrorKind.Limit, $"output exceeds {limits.MaxOutputLength} characters", node.Line, node.Column);
            }

            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow ExecuteStatement(JinjaNode node, Scope scope, StringBuilder output)
    {
        switch (node)
        {
            case TextNode text:
                output.Append(text.Text);
                return Flow.Normal;
            case OutputNode print:
                output.Append(PythonFormatting.Str(Evaluate(print.Expression, scope)));
                return Flow.Normal;
            case IfNode conditional:
                foreach (var (condition, branch) in conditional.Branches)
                {
                    if (PythonOperations.IsTruthy(Evaluate(condition, scope)))
                    {
                        return Execute(branch, scope, output);
                    }
                }

                return Execute(conditional.Else, scope, output);
            case ForNode loop:
                return ExecuteFor(loop, scope, output);
            case SetNode set:
                Assign(set.Target, Evaluate(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockNode setBlock:
                var captured = new StringBuilder();
                Execute(setBlock.Body, scope, captured);
                Assign(setBlock.Target, ApplyFilters(setBlock.Filters, captured.ToString(), scope), scope);
                return Flow.Normal;
            case MacroNode macro:
                scope.Variables[macro.Name] = DefineMacro(macro, scope);
                return Flow.Normal;
            case FilterBlockNode filterBlock:
                var filtered = new StringBuilder();
                Execute(filterBlock.Body, new Scope(scope), filtered);
                output.Append(PythonFormatting.Str(ApplyFilters(filterBlock.Filters, filtered.ToString(), scope)));
                return Flow.Normal;
            case WithNode with:
                var inner = new Scope(scope);
                foreach (var (target, value) in with.Assignments)
                {
                    Assign(target, Evaluate(value, scope), inner);
                }

                return Execute(with.Body, inner, output);
            case GenerationNode generation:
                return Execute(generation.Body, scope, output);
            default:
                throw new JinjaRuntimeError($"cannot execute {node.GetType().Name}");
        }
    }

    private Flow ExecuteFor(ForNode loop, Scope scope, StringBuilder output)
    {
        var items = PythonOperations.Iterate(Evaluate(loop.Iterable, scope)).ToList();
        if (loop.Filter is not null)
        {
            items = items.Where(item =>
            {
                var filterScope = new Scope(scope);
                Assign(loop.Target, item, filterScope);
                return PythonOperations.IsTruthy(Evaluate(loop.Filter, filterScope));
            }).ToList();
        }

        if (items.Count == 0)
        {
            return Execute(loop.Else, scope, output);
        }

        var context = new JinjaLoop(items);
        for (var i = 0; i < items.Count; i++)
        {
            Step(loop);
            context.Index0 = i;
            var iteration = new Scope(scope);
            Assign(loop.Target, items[i], iteration);
            iteration.Variables["loop"] = context;
            if (Execute(loop.Body, iteration, output) == Flow.Break)
            {
                break;
            }
        }

        return Flow.Normal;
    }

    private void Assign(AssignTarget target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Variables[name.Name] = value;
                break;
            case TupleTarget tuple:
                var values = PythonOperations.Iterate(value).ToList();
                if (values.Count != tuple.Items.Count)
                {
                    throw new JinjaException(JinjaErrorKind.Runtime, $"cannot unpack {values.Count} values into {tuple.Items.Count} names", tuple.Line, tuple.Column);
                }

                for (var i = 0; i < values.Count; i++)
                {
                    Assign(tuple.Items[i], values[i], scope);
                }

                break;
            case NamespaceTarget attribute:
                if (scope.Lookup(attribute.Name) is not JinjaNamespace ns)
                {
                    throw new JinjaException(JinjaErrorKind.Runtime, $"cannot assign attribute on non-namespace object '{attribute.Name}'", attribute.Line, attribute.Column);
                }

                ns.Attributes[attribute.Attribute] = value;
                break;
        }
    }

    private JinjaCallable DefineMacro(MacroNode macro, Scope definingScope) => new(macro.Name, (args, kwargs) =>
    {
        if (args.Count > macro.Parameters.Count)
        {
            throw new JinjaRuntimeError($"macro '{macro.Name}' takes {macro.Parameters.Count} arguments, {args.Count} given");
        }

        if (++_callDepth > limits.MaxCallDepth)
        {
            throw new JinjaRuntimeError($"macro calls nested deeper than {limits.MaxCallDepth}", JinjaErrorKind.Limit);
        }

        try
        {
            var scope = new Scope(definingScope);
            for (var i = 0; i < macro.Parameters.Count; i++)
            {
                var (name, defaultValue) = macro.Parameters[i];
                scope.Variables[name] = i < args.Count ? args[i]
                    : kwargs.TryGetValue(name, out var named) ? named
                    : defaultValue is null ? new JinjaUndefined($"parameter '{name}' of macro '{macro.Name}' was not provided")
                    : Evaluate(defaultValue, scope);
            }

            var output = new StringBuilder();
            Execute(macro.Body, scope, output);
            return output.ToString();
        }
        finally
        {
            _callDepth--;
        }
    });

    private object? ApplyFilters(IReadOnlyList<FilterExpression> filters, object? value, Scope scope)
    {
        foreach (var filter in filters)
        {
            var (args, kwargs) = EvaluateArguments(filter.Arguments, scope);
            value = Guard(filter, () => JinjaFilters.Apply(filter.Name, value, args, kwargs, limits));
        }

        return value;
    }

    private object? Evaluate(JinjaExpression expression, Scope scope) => Guard(expression, () => EvaluateUnguarded(expression, scope));

    private object? EvaluateUnguarded(JinjaExpression expression, Scope scope)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expression)
        {
            case ConstantExpression constant:
                return constant.Value;
            case NameExpression name:
                return scope.Lookup(name.Name);
            case ListExpression list:
                return list.Items.Select(item => Evaluate(item, scope)).ToList();
            case TupleExpression tuple:
                return tuple.Items.Select(item => Evaluate(item, scope)).ToArray();
            case DictExpression dict:
                var result = PythonOperations.NewDict();
                foreach (var (key, value) in dict.Items)
                {
                    result[Evaluate(key, scope) ?? throw new JinjaRuntimeError("None as a dictionary key is not supported")] = Evaluate(value, scope);
                }

                return result;
            case AttributeExpression attribute:
                return JinjaMembers.GetAttribute(Evaluate(attribute.Target, scope), attribute.Attribute);
            case ItemExpression item:
                return JinjaMembers.GetItem(Evaluate(item.Target, scope), Evaluate(item.Key, scope));
            case SliceExpression slice:
                return PythonOperations.Slice(
                    Evaluate(slice.Target, scope),
                    slice.Start is null ? null : Evaluate(slice.Start, scope),
                    slice.Stop is null ? null : Evaluate(slice.Stop, scope),
                    slice.Step is null ? null : Evaluate(slice.Step, scope));
            case CallExpression call:
                var callee = Evaluate(call.Callee, scope);
                var (args, kwargs) = EvaluateArguments(call.Arguments, scope);
                return callee switch
                {
                    JinjaCallable callable => callable.Function(args, kwargs),
                    JinjaUndefined undefined => throw undefined.Error(),
                    _ => throw new JinjaRuntimeError($"'{PythonOperations.TypeName(callee)}' object is not callable"),
                };
            case FilterExpression filter:
                var input = filter.Target is null ? null : Evaluate(filter.Target, scope);
                var (filterArgs, filterKwargs) = EvaluateArguments(filter.Arguments, scope);
                return JinjaFilters.Apply(filter.Name, input, filterArgs, filterKwargs, limits);
            case TestExpression test:
                var (testArgs, _) = EvaluateArguments(test.Arguments, scope);
                return JinjaTests.Apply(test.Name, Evaluate(test.Target, scope), testArgs) != test.Negated;
            case UnaryExpression unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => !PythonOperations.IsTruthy(operand),
                    "-" => operand switch
                    {
                        long l => (object)(-l),
                        double d => -d,
                        bool b => b ? -1L : 0L,
                        _ => throw Undefined(operand) ?? new JinjaRuntimeError($"bad operand type for unary -: '{PythonOperations.TypeName(operand)}'"),
                    },
                    _ => PythonOperations.IsNumber(operand) ? operand : throw Undefined(operand) ?? new JinjaRuntimeError($"bad operand type for unary +: '{PythonOperations.TypeName(operand)}'"),
                };
            case BinaryExpression binary:
                return EvaluateBinary(binary, scope);
            case CompareExpression compare:
                var left = Evaluate(compare.First, scope);
                foreach (var (op, operandExpression) in compare.Rest)
                {
                    var right = Evaluate(operandExpression, scope);
                    var holds = op switch
                    {
                        "==" => PythonOperations.AreEqual(left, right),
                        "!=" => !PythonOperations.AreEqual(left, right),
                        "<" => PythonOperations.Compare(left, right, op) < 0,
                        "<=" => PythonOperations.Compare(left, right, op) <= 0,
                        ">" => PythonOperations.Compare(left, right, op) > 0,
                        ">=" => PythonOperations.Compare(left, right, op) >= 0,
                        "in" => PythonOperations.Contains(right, left),
                        _ => !PythonOperations.Contains(right, left),
                    };
                    if (!holds)
                    {
                        return false;
                    }

                    left = right;
                }

                return true;
            case ConditionalExpression conditional:
                return PythonOperations.IsTruthy(Evaluate(conditional.Condition, scope))
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Else is null ? new JinjaUndefined("the conditional expression had no else branch") : Evaluate(conditional.Else, scope);
            default:
                throw new JinjaRuntimeError($"cannot evaluate {expression.GetType().Name}");
        }
    }

    private static JinjaRuntimeError? Undefined(object? value) => value is JinjaUndefined undefined ? undefined.Error() : null;

    private object? EvaluateBinary(BinaryExpression binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case "and":
                return PythonOperations.IsTruthy(left) ? Evaluate(binary.Right, scope) : left;
            case "or":
                return PythonOperations.IsTruthy(left) ? left : Evaluate(binary.Right, scope);
        }

        var right = Evaluate(binary.Right, scope);
        return binary.Operator switch
        {
            "~" => PythonOperations.Join([PythonFormatting.Str(left), PythonFormatting.Str(right)], "", limits.MaxOutputLength),
            "+" => PythonOperations.Add(left, right, limits.MaxOutputLength),
            _ => PythonOperations.Arithmetic(binary.Operator, left, right, limits.MaxOutputLength),
        };
    }

    private (List<object?> Positional, Dictionary<string, object?> Keywords) EvaluateArguments(CallArguments arguments, Scope scope) =>
        (arguments.Positional.Select(argument => Evaluate(argument, scope)).ToList(),
         arguments.Keywords.ToDictionary(keyword => keyword.Name, keyword => Evaluate(keyword.Value, scope), StringComparer.Ordinal));

    private void Step(JinjaNode node)
    {
        if (++_steps > limits.MaxSteps)
        {
            throw new JinjaException(JinjaErrorKind.Limit, $"the template ran more than {limits.MaxSteps} steps", node.Line, node.Column);
        }
    }

    /// <summary>Turns an error raised inside <paramref name="node"/> into one that names the node's position.</summary>
    private static T Guard<T>(JinjaNode node, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (JinjaRuntimeError e)
        {
            throw new JinjaException(e.Kind, e.Message, node.Line, node.Column, e);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new JinjaException(JinjaErrorKind.Limit, "the template nests too deeply to evaluate", node.Line, node.Column, e);
        }
    }
}
