using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation;

/// <summary>What a <see cref="ScalarValue"/> holds.</summary>
public enum ScalarKind
{
    /// <summary>JSON null / Python <c>None</c>.</summary>
    Null,

    /// <summary>A number (Python int or float).</summary>
    Number,

    /// <summary>A boolean; counts as 0/1 wherever verl averages it.</summary>
    Boolean,

    /// <summary>A string (e.g. math_dapo's <c>pred</c>); verl never averages these.</summary>
    Text,
}

/// <summary>
/// One value of a reward extra or a metric variable, typed the way Python would see it: verl treats bools as
/// numbers, skips strings, and votes on them.
/// </summary>
public readonly record struct ScalarValue
{
    private ScalarValue(ScalarKind kind, double number, string? text)
    {
        Kind = kind;
        Number = number;
        Text = text;
    }

    public ScalarKind Kind { get; }

    /// <summary>The numeric value: the number, 1/0 for a boolean, NaN otherwise.</summary>
    public double Number { get; }

    /// <summary>The string for <see cref="ScalarKind.Text"/>, else null.</summary>
    public string? Text { get; }

    public static ScalarValue Null { get; } = new(ScalarKind.Null, double.NaN, null);

    public static ScalarValue FromNumber(double value) => new(ScalarKind.Number, value, null);

    public static ScalarValue FromBoolean(bool value) => new(ScalarKind.Boolean, value ? 1.0 : 0.0, null);

    public static ScalarValue FromText(string value) => new(ScalarKind.Text, double.NaN, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>True for numbers and booleans: the values verl's metrics average.</summary>
    public bool IsNumeric => Kind is ScalarKind.Number or ScalarKind.Boolean;

    /// <summary>Reads a JSON scalar; objects and arrays are not scalars and yield false.</summary>
    public static bool TryFromJson(JsonNode? node, out ScalarValue value)
    {
        value = Null;
        if (node is null)
        {
            return true;
        }

        if (node is not JsonValue json)
        {
            return false;
        }

        switch (json.GetValueKind())
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.True:
                value = FromBoolean(true);
                return true;
            case JsonValueKind.False:
                value = FromBoolean(false);
                return true;
            case JsonValueKind.String:
                value = FromText(json.GetValue<string>());
                return true;
            case JsonValueKind.Number:
                value = FromNumber(double.Parse(json.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture));
                return true;
            default:
                return false;
        }
    }

    /// <summary>The JSON form: null, a number, true/false or a string.</summary>
    public JsonNode? ToJson() => Kind switch
    {
        ScalarKind.Number => JsonValue.Create(Number),
        ScalarKind.Boolean => JsonValue.Create(Number != 0),
        ScalarKind.Text => JsonValue.Create(Text),
        _ => null,
    };

    public override string ToString() => Kind switch
    {
        ScalarKind.Number => Number.ToString("R", CultureInfo.InvariantCulture),
        ScalarKind.Boolean => Number != 0 ? "True" : "False",
        ScalarKind.Text => Text!,
        _ => "None",
    };
}
