using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Serialization;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// Reads a parquet file (as pyarrow writes them for verl: every column optional, nested lists and structs) one
/// row group at a time, so memory holds one row group, never the file. Any failure of the parquet library is
/// reported as a <see cref="DatasetFormatException"/> naming the file and row group.
/// </summary>
internal static class ParquetRowReader
{
    public static async Task<long[]> RowGroupSizesAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = OpenChecked(path);
        try
        {
            await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken);
            return reader.RowGroups.Select(g => g.RowCount).ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DatasetFormatException(path, $"not a readable parquet file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Rows as JSON objects (column name → value), with their 0-based row number in the file. Row groups for which
    /// <paramref name="wantRows"/>(first row, row count) is false are skipped without being decoded.
    /// </summary>
    public static async IAsyncEnumerable<(long Row, JsonObject Columns)> ReadAsync(
        string path, Func<long, long, bool> wantRows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sizes = await RowGroupSizesAsync(path, cancellationToken);
        await using var stream = OpenChecked(path);
        var first = 0L;
        for (var group = 0; group < sizes.Length; group++)
        {
            var groupStart = first;
            first += sizes[group];
            if (!wantRows(groupStart, sizes[group]))
            {
                continue;
            }

            var rows = await ReadGroupAsync(path, stream, group, groupStart, sizes[group], cancellationToken);
            for (var i = 0; i < rows.Count; i++)
            {
                yield return (groupStart + i, rows[i]);
            }
        }
    }

    private static async Task<List<JsonObject>> ReadGroupAsync(string path, Stream stream, int group, long groupStart, long expectedRows, CancellationToken cancellationToken)
    {
        IList<Dictionary<string, object>> data;
        try
        {
            stream.Position = 0;
            data = (await ParquetSerializer.DeserializeUntypedAsync(stream, new ParquetOptions(), group, cancellationToken)).Data;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DatasetFormatException(path, $"row group {group} (rows {groupStart}..{groupStart + expectedRows - 1}) cannot be read: {e.Message}", e);
        }

        if (data.Count != expectedRows)
        {
            throw new DatasetFormatException(path, $"row group {group} decoded to {data.Count} rows, its metadata says {expectedRows}");
        }

        var rows = new List<JsonObject>(data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            var columns = new JsonObject();
            try
            {
                foreach (var (name, value) in data[i])
                {
                    columns[name] = ParquetValues.ToJson(value, name);
                }
            }
            catch (FormatException e)
            {
                throw new DatasetFormatException(path, groupStart + i, e.Message, e);
            }

            rows.Add(columns);
        }

        return rows;
    }

    private static FileStream OpenChecked(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        if (ParquetFooterCheck.ProblemWithFile(stream) is { } problem)
        {
            stream.Dispose();
            throw new DatasetFormatException(path, problem);
        }

        return stream;
    }
}
