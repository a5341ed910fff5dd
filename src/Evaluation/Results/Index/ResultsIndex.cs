using System.Text;
using System.Text.Json;

namespace VerlOrleans.Evaluation.Results.Index;

/// <summary>
/// An in-memory index over a run's <c>results.jsonl</c> while it grows: <see cref="Refresh"/> reads only the
/// complete lines appended since the last call, so a results grid can page, sort and filter a run that is still
/// going without reading the whole file each time. Full texts are read back from the file by byte range. A file
/// that got shorter (a resume cut a torn last line) is indexed again from the start. When a (uid, sample index)
/// appears twice, the later line wins. Not thread-safe: one caller at a time.
/// </summary>
public sealed class ResultsIndex(string path)
{
    private const int PreviewChars = 160;
    private const int ReadChunk = 1 << 20;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<IndexedSample> _samples = [];
    private readonly Dictionary<(string Uid, int SampleIndex), int> _byKey = [];
    private readonly SortedSet<string> _dataSources = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _finishReasons = new(StringComparer.Ordinal);
    private long _indexedBytes;
    private int _lines;

    public string Path { get; } = path;

    public int Count => _samples.Count;

    public IReadOnlyList<IndexedSample> Samples => _samples;

    public IReadOnlyCollection<string> DataSources => _dataSources;

    public IReadOnlyCollection<string> FinishReasons => _finishReasons;

    /// <summary>Indexes the complete lines appended since the last call; a line that does not parse fails with its line number.</summary>
    public void Refresh()
    {
        if (!File.Exists(Path))
        {
            Reset();
            return;
        }

        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        if (stream.Length < _indexedBytes)
        {
            Reset();
        }

        try
        {
            ReadFrom(stream);
        }
        catch
        {
            // Leave no half-read state: the next refresh starts over (and names the same line if it is still bad).
            Reset();
            throw;
        }
    }

    private void ReadFrom(FileStream stream)
    {
        stream.Position = _indexedBytes;
        var buffer = new byte[ReadChunk];
        var carry = new MemoryStream();
        long lineStart = _indexedBytes;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var from = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                ReadOnlySpan<byte> line;
                if (carry.Length > 0)
                {
                    carry.Write(buffer, from, i - from);
                    line = carry.GetBuffer().AsSpan(0, (int)carry.Length);
                }
                else
                {
                    line = buffer.AsSpan(from, i - from);
                }

                Add(line, lineStart);
                lineStart += line.Length + 1;
                carry.SetLength(0);
                from = i + 1;
            }

            carry.Write(buffer, from, read - from);
        }

        // A line without its newline is still being written (or was torn by a crash): it is indexed once complete.
        _indexedBytes = lineStart;
    }

    /// <summary>One page of the samples matching <paramref name="query"/>, in its order.</summary>
    public ResultsQueryPage Query(ResultsQuery query)
    {
        IEnumerable<IndexedSample> matching = _samples;
        if (query.DataSource is { } source)
        {
            matching = matching.Where(s => s.DataSource == source);
        }

        if (query.Correct is { } correct)
        {
            matching = matching.Where(s => s.Correct == correct);
        }

        if (query.FinishReason is { } finish)
        {
            matching = matching.Where(s => s.FinishReason == finish);
        }

        if (query.MinScore is { } min)
        {
            matching = matching.Where(s => s.Score >= min);
        }

        if (query.MaxScore is { } max)
        {
            matching = matching.Where(s => s.Score <= max);
        }

        var filtered = matching.ToList();
        if (!string.IsNullOrEmpty(query.Text))
        {
            filtered = ContainingText(filtered, query.Text);
        }

        var ordered = Sort(filtered, query.SortBy, query.Descending);
        var offset = Math.Max(0, query.Offset);
        var count = Math.Clamp(query.Count, 0, 1000);
        return new ResultsQueryPage(ordered.Skip(offset).Take(count).ToList(), filtered.Count);
    }

    /// <summary>The sample (uid, index), or null when the index has not seen it.</summary>
    public IndexedSample? Find(string uid, int sampleIndex) =>
        _byKey.TryGetValue((uid, sampleIndex), out var i) ? _samples[i] : null;

    /// <summary>Every indexed sample of one prompt, by sample index.</summary>
    public IReadOnlyList<IndexedSample> OfPrompt(string uid) =>
        _samples.Where(s => s.Uid == uid).OrderBy(s => s.SampleIndex).ToList();

    /// <summary>The full result of an indexed sample, read from its line.</summary>
    public SampleResult Read(IndexedSample sample)
    {
        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return SampleResultJson.FromLine(ReadLine(handle, sample), $"{Path}: byte {sample.Offset}");
    }

    private void Reset()
    {
        _samples.Clear();
        _byKey.Clear();
        _dataSources.Clear();
        _finishReasons.Clear();
        _indexedBytes = 0;
        _lines = 0;
    }

    private void Add(ReadOnlySpan<byte> line, long offset)
    {
        _lines++;
        if (line.IsEmpty)
        {
            return;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(line);
        }
        catch (DecoderFallbackException e)
        {
            throw new ResultsFormatException($"{Path}: line {_lines} is not valid UTF-8", e);
        }

        var result = SampleResultJson.FromLine(text, $"{Path}: line {_lines}");
        var sample = ToIndexed(result, offset, line.Length);
        if (_byKey.TryGetValue((sample.Uid, sample.SampleIndex), out var existing))
        {
            _samples[existing] = sample;
        }
        else
        {
            _byKey[(sample.Uid, sample.SampleIndex)] = _samples.Count;
            _samples.Add(sample);
        }

        _dataSources.Add(sample.DataSource);
        if (sample.FinishReason is { } finish)
        {
            _finishReasons.Add(finish);
        }
    }

    /// <summary>The index entry of one result: correctness is the reward's acc when recorded, else score &gt; 0.</summary>
    public static IndexedSample ToIndexed(SampleResult result, long offset, int length)
    {
        bool? acc = null;
        string? pred = null;
        foreach (var (key, value) in result.RewardExtras)
        {
            if (key == "acc" && value.IsNumeric)
            {
                acc = value.Number > 0;
            }
            else if (key == "pred" && value.Kind != ScalarKind.Null)
            {
                pred = value.ToString();
            }
        }

        return new IndexedSample
        {
            Uid = result.Uid,
            SampleIndex = result.SampleIndex,
            Position = result.Position,
            DataSource = result.DataSource,
            Score = result.Score,
            Correct = acc ?? result.Score > 0,
            Pred = pred,
            FinishReason = result.FinishReason,
            PromptTokens = result.PromptTokens,
            ResponseTokens = result.ResponseTokens,
            GenerationSeconds = result.GenerationSeconds,
            ResponsePreview = Preview(result.ResponseText),
            GroundTruthPreview = Preview(result.GroundTruth switch
            {
                null => "",
                System.Text.Json.Nodes.JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                var node => node.ToJsonString(),
            }),
            Offset = offset,
            Length = length,
        };
    }

    private List<IndexedSample> ContainingText(List<IndexedSample> candidates, string needle)
    {
        var found = new List<IndexedSample>();
        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        foreach (var sample in candidates.OrderBy(s => s.Offset))
        {
            using var document = JsonDocument.Parse(ReadLine(handle, sample));
            var root = document.RootElement;
            if (Contains(root, "prompt", needle) || Contains(root, "response", needle) || Contains(root, "ground_truth", needle))
            {
                found.Add(sample);
            }
        }

        return found;
    }

    private static bool Contains(JsonElement root, string property, string needle) =>
        root.TryGetProperty(property, out var value) && (value.ValueKind == JsonValueKind.String
            ? value.GetString()!.Contains(needle, StringComparison.OrdinalIgnoreCase)
            : value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined && value.GetRawText().Contains(needle, StringComparison.OrdinalIgnoreCase));

    private string ReadLine(Microsoft.Win32.SafeHandles.SafeFileHandle handle, IndexedSample sample)
    {
        var bytes = new byte[sample.Length];
        var done = 0;
        while (done < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(done), sample.Offset + done);
            if (n == 0)
            {
                throw new ResultsFormatException($"{Path}: the file ended inside the line at byte {sample.Offset} (was it rewritten?)");
            }

            done += n;
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static List<IndexedSample> Sort(List<IndexedSample> samples, ResultsSortKey key, bool descending)
    {
        IOrderedEnumerable<IndexedSample> ordered = key switch
        {
            ResultsSortKey.Score => By(samples, s => s.Score, descending),
            ResultsSortKey.DataSource => By(samples, s => s.DataSource, descending, StringComparer.Ordinal),
            ResultsSortKey.FinishReason => By(samples, s => s.FinishReason ?? "", descending, StringComparer.Ordinal),
            ResultsSortKey.PromptTokens => By(samples, s => s.PromptTokens ?? -1, descending),
            ResultsSortKey.ResponseTokens => By(samples, s => s.ResponseTokens ?? -1, descending),
            ResultsSortKey.GenerationSeconds => By(samples, s => s.GenerationSeconds ?? -1, descending),
            _ => By(samples, s => s.Position, descending),
        };
        return (descending && key == ResultsSortKey.Position
            ? ordered.ThenByDescending(s => s.SampleIndex)
            : ordered.ThenBy(s => s.Position).ThenBy(s => s.SampleIndex)).ToList();
    }

    private static IOrderedEnumerable<IndexedSample> By<T>(IEnumerable<IndexedSample> samples, Func<IndexedSample, T> key, bool descending, IComparer<T>? comparer = null) =>
        descending ? samples.OrderByDescending(key, comparer) : samples.OrderBy(key, comparer);

    private static string Preview(string text)
    {
        var collapsed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return collapsed.Length <= PreviewChars ? collapsed : collapsed[..(PreviewChars - 1)] + "…";
    }
}
