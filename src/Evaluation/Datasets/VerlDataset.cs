using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// verl's evaluation dataset: several parquet/JSON files concatenated in order, optionally cut to
/// <see cref="DatasetOptions.MaxSamples"/> rows (the first ones, or with <see cref="DatasetOptions.Shuffle"/> the
/// ones <c>np.random.default_rng(seed).choice</c> picks, in that order, exactly as <c>RLHFDataset</c>). Opening
/// hashes every file and counts its rows; reading streams parquet row groups and JSON rows, keeping in memory only
/// the current row group and, for a shuffled selection, the selected rows.
/// </summary>
public sealed class VerlDataset
{
    private readonly DatasetOptions _options;
    private readonly long[] _fileStarts;
    private readonly long[]? _selection;
    private readonly string[] _uidPrefixes;

    private VerlDataset(IReadOnlyList<DatasetFile> files, DatasetOptions options, ulong? effectiveSeed)
    {
        Files = files;
        _options = options;
        EffectiveSeed = effectiveSeed;
        _fileStarts = new long[files.Count];
        for (var i = 1; i < files.Count; i++)
        {
            _fileStarts[i] = _fileStarts[i - 1] + files[i - 1].Rows;
        }

        TotalRows = files.Sum(f => f.Rows);
        _uidPrefixes = UidPrefixes(files);
        if (options.MaxSamples > 0 && options.MaxSamples < TotalRows)
        {
            _selection = options.Shuffle
                ? new NumpyGenerator(effectiveSeed!.Value).ChooseWithoutReplacement(TotalRows, checked((int)options.MaxSamples))
                : null;
            SelectedRows = options.MaxSamples;
        }
        else
        {
            SelectedRows = TotalRows;
        }
    }

    public IReadOnlyList<DatasetFile> Files { get; }

    /// <summary>Rows in all files together.</summary>
    public long TotalRows { get; }

    /// <summary>Rows this dataset yields (after <see cref="DatasetOptions.MaxSamples"/>).</summary>
    public long SelectedRows { get; }

    /// <summary>The seed the shuffled selection used (the configured one, or the one drawn when none was given); null without shuffling.</summary>
    public ulong? EffectiveSeed { get; }

    public static async Task<VerlDataset> OpenAsync(IReadOnlyList<string> paths, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DatasetOptions();
        if (paths.Count == 0)
        {
            throw new ArgumentException("at least one dataset file is needed", nameof(paths));
        }

        var files = new List<DatasetFile>(paths.Count);
        foreach (var given in paths)
        {
            var path = Path.GetFullPath(given);
            var format = DatasetFile.FormatOf(path);
            if (!File.Exists(path))
            {
                throw new DatasetFormatException(path, "file not found");
            }

            var rows = format == DatasetFileFormat.Parquet
                ? (await ParquetRowReader.RowGroupSizesAsync(path, cancellationToken)).Sum()
                : await JsonRowReader.CountRowsAsync(path, cancellationToken);
            files.Add(new DatasetFile(path, format, new FileInfo(path).Length, await HashAsync(path, cancellationToken), rows));
        }

        ulong? seed = options.Shuffle ? options.Seed ?? (ulong)Random.Shared.NextInt64(long.MaxValue) : null;
        return new VerlDataset(files, options, seed);
    }

    /// <summary>The selected rows in verl's order.</summary>
    public async IAsyncEnumerable<DatasetRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var mapper = new DatasetRowMapper(_options);
        if (_selection is null)
        {
            // The first SelectedRows rows: row groups past them are never decoded.
            var position = 0L;
            await foreach (var (file, rowInFile, columns) in ReadFilesAsync((first, _) => first < SelectedRows, cancellationToken))
            {
                yield return mapper.Map(columns, Files[file].Path, rowInFile, _uidPrefixes[file], _fileStarts[file] + rowInFile, position);
                if (++position == SelectedRows)
                {
                    yield break;
                }
            }

            yield break;
        }

        // A shuffled selection comes out in the generator's order, so the chosen rows are collected in one pass
        // over the files (skipping row groups with none of them) and then emitted in that order.
        var wanted = new HashSet<long>(_selection);
        var sortedSelection = _selection.Order().ToArray();
        var collected = new Dictionary<long, DatasetRow>(_selection.Length);
        var order = new Dictionary<long, long>(_selection.Length);
        for (var i = 0; i < _selection.Length; i++)
        {
            order[_selection[i]] = i;
        }

        await foreach (var (file, rowInFile, columns) in ReadFilesAsync((global, count) => AnyInRange(sortedSelection, global, count), cancellationToken))
        {
            var index = _fileStarts[file] + rowInFile;
            if (wanted.Contains(index))
            {
                collected[index] = mapper.Map(columns, Files[file].Path, rowInFile, _uidPrefixes[file], index, order[index]);
            }
        }

        foreach (var index in _selection)
        {
            yield return collected[index];
        }
    }

    private async IAsyncEnumerable<(int File, long RowInFile, JsonObject Columns)> ReadFilesAsync(
        Func<long, long, bool> wantGlobalRange, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var f = 0; f < Files.Count; f++)
        {
            var file = Files[f];
            var fileStart = _fileStarts[f];
            if (!wantGlobalRange(fileStart, file.Rows))
            {
                continue;
            }

            var rows = file.Format == DatasetFileFormat.Parquet
                ? ParquetRowReader.ReadAsync(file.Path, (first, count) => wantGlobalRange(fileStart + first, count), cancellationToken)
                : JsonRowReader.ReadAsync(file.Path, cancellationToken);
            await foreach (var (row, columns) in rows)
            {
                yield return (f, row, columns);
            }
        }
    }

    private static bool AnyInRange(long[] sorted, long first, long count)
    {
        var at = Array.BinarySearch(sorted, first);
        if (at < 0)
        {
            at = ~at;
        }

        return at < sorted.Length && sorted[at] < first + count;
    }

    /// <summary>Uid prefix per file: its hash, plus the occurrence number when the same content is given twice.</summary>
    private static string[] UidPrefixes(IReadOnlyList<DatasetFile> files)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return files.Select(f =>
        {
            var prefix = f.Sha256[..16];
            var occurrence = seen.GetValueOrDefault(prefix);
            seen[prefix] = occurrence + 1;
            return occurrence == 0 ? prefix : $"{prefix}#{occurrence}";
        }).ToArray();
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
