using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// Turns the values Parquet.Net's untyped reader produces (primitives, <c>ReadOnlyMemory&lt;char&gt;</c>, byte arrays,
/// dictionaries for structs and maps, lists) into JSON, which is how rows travel through the evaluation.
/// Bytes become base64 strings; dates and times ISO-8601 strings.
/// </summary>
internal static class ParquetValues
{
    /// <summary>Deepest nesting accepted; real verl rows nest 3–4 levels.</summary>
    public const int MaxDepth = 64;

    public static JsonNode? ToJson(object? value, string column, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"column '{column}' nests deeper than {MaxDepth} levels");
        }

        return value switch
        {
            null => null,
            string s => JsonValue.Create(s),
            ReadOnlyMemory<char> chars => JsonValue.Create(chars.ToString()),
            bool b => JsonValue.Create(b),
            sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            ulong u => JsonValue.Create(u),
            float f => JsonValue.Create(f),
            double d => JsonValue.Create(d),
            decimal m => JsonValue.Create(m),
            Half h => JsonValue.Create((float)h),
            BigInteger big => JsonValue.Create(big.ToString(CultureInfo.InvariantCulture)),
            byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
            ReadOnlyMemory<byte> memory => JsonValue.Create(Convert.ToBase64String(memory.Span)),
            DateTime t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
            DateTimeOffset t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
            DateOnly t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
            TimeOnly t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
            TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
            Guid g => JsonValue.Create(g.ToString()),
            IDictionary<string, object?> structure => ToObject(structure, column, depth),
            IDictionary map => ToObject(map, column, depth),
            IEnumerable list => ToArray(list, column, depth),
            _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    private static JsonObject ToObject(IDictionary<string, object?> structure, string column, int depth)
    {
        var result = new JsonObject();
        foreach (var (key, item) in structure)
        {
            result[key] = ToJson(item, column + "." + key, depth + 1);
        }

        return result;
    }

    private static JsonObject ToObject(IDictionary map, string column, int depth)
    {
        var result = new JsonObject();
        foreach (DictionaryEntry entry in map)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            result[key] = ToJson(entry.Value, column + "." + key, depth + 1);
        }

        return result;
    }

    private static JsonArray ToArray(IEnumerable list, string column, int depth)
    {
        var result = new JsonArray();
        foreach (var item in list)
        {
            result.Add(ToJson(item, column + "[]", depth + 1));
        }

        return result;
    }
}
