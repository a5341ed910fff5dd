using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// Reads JSON datasets as Hugging Face's <c>json</c> loader (used by verl) accepts them: JSON Lines (one object per
/// line; blank lines skipped), or a single JSON array of objects. Both are streamed; a malformed row is reported
/// with its file, row and line.
/// </summary>
internal static class JsonRowReader
{
    public static async IAsyncEnumerable<(long Row, JsonObject Columns)> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await StartsWithArrayAsync(path, cancellationToken))
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await foreach (var element in ReadArrayAsync(path, stream, cancellationToken))
            {
                yield return element;
            }

            yield break;
        }

        var row = 0L;
        using var lines = JsonLinesFile.Read(path).GetEnumerator();
        while (true)
        {
            JsonObject record;
            try
            {
                if (!lines.MoveNext())
                {
                    yield break;
                }

                record = lines.Current.Record;
            }
            catch (JsonLinesFormatException e)
            {
                throw new DatasetFormatException(path, row, $"line {e.Line}: {e.Problem}", e);
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return (row, record);
            row++;
        }
    }

    public static async Task<long> CountRowsAsync(string path, CancellationToken cancellationToken)
    {
        var count = 0L;
        await foreach (var _ in ReadAsync(path, cancellationToken))
        {
            count++;
        }

        return count;
    }

    private static async IAsyncEnumerable<(long Row, JsonObject Columns)> ReadArrayAsync(string path, Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var row = 0L;
        await using var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonNode?>(stream, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            JsonNode? element;
            try
            {
                if (!await elements.MoveNextAsync())
                {
                    yield break;
                }

                element = elements.Current;
            }
            catch (JsonException e)
            {
                throw new DatasetFormatException(path, row, $"invalid JSON in the top-level array: {e.Message}", e);
            }

            yield return (row, element as JsonObject ?? throw new DatasetFormatException(path, row, $"array element is {Describe(element)}, not an object"));
            row++;
        }
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();

    private static async Task<bool> StartsWithArrayAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        var start = read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
        for (var i = start; i < read; i++)
        {
            if (buffer[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return buffer[i] == (byte)'[';
        }

        return false;
    }
}
