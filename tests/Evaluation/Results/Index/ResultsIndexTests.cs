using System.Text;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Results.Index;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Results.Index;

/// <summary>
/// The results index a run page pages through: it reads only what was appended since its last refresh, ignores a
/// line still being written, and filters, sorts and pages exactly (checked against LINQ over the same results).
/// </summary>
public sealed class ResultsIndexTests : IDisposable
{
    private readonly TempDirectory _dir = new("results-index");

    public void Dispose() => _dir.Dispose();

    private string File => _dir.Combine("results.jsonl");

    [Fact]
    public void Refresh_reads_only_appended_complete_lines()
    {
        var results = Results(10);
        Append(results.Take(4));
        var index = new ResultsIndex(File);
        index.Refresh();
        Assert.Equal(4, index.Count);

        // Half a line (a writer in the middle of an append): not indexed until its newline arrives.
        var line = Encoding.UTF8.GetBytes(SampleResultJson.ToLine(results[4]) + "\n");
        AppendBytes(line.AsSpan(0, line.Length / 2));
        index.Refresh();
        Assert.Equal(4, index.Count);
        AppendBytes(line.AsSpan(line.Length / 2));
        Append(results.Skip(5));
        index.Refresh();

        Assert.Equal(10, index.Count);
        Assert.Equal(results.Select(r => (r.Uid, r.SampleIndex)), index.Samples.Select(s => (s.Uid, s.SampleIndex)));
        Assert.Equal(results[4].ResponseText, index.Read(index.Find(results[4].Uid, results[4].SampleIndex)!).ResponseText);
    }

    [Fact]
    public void Pages_sorted_by_score_cover_every_sample_once_in_order()
    {
        var results = Results(57);
        Append(results);
        var index = new ResultsIndex(File);
        index.Refresh();

        var paged = new List<IndexedSample>();
        for (var offset = 0; offset < 57; offset += 10)
        {
            var page = index.Query(new ResultsQuery { Offset = offset, Count = 10, SortBy = ResultsSortKey.Score, Descending = true });
            Assert.Equal(57, page.Matching);
            paged.AddRange(page.Rows);
        }

        var expected = results.OrderByDescending(r => r.Score).ThenBy(r => r.Position).ThenBy(r => r.SampleIndex).Select(r => (r.Uid, r.SampleIndex));
        Assert.Equal(expected, paged.Select(s => (s.Uid, s.SampleIndex)));
    }

    [Fact]
    public void Filters_match_linq_over_the_same_results()
    {
        var results = Results(60);
        Append(results);
        var index = new ResultsIndex(File);
        index.Refresh();

        var query = new ResultsQuery { DataSource = "math", Correct = false, FinishReason = "length", Count = 1000 };
        var expected = results.Where(r => r.DataSource == "math" && !IsCorrect(r) && r.FinishReason == "length").Select(r => r.Uid + "#" + r.SampleIndex).ToList();
        var page = index.Query(query);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, page.Rows.Select(r => r.Uid + "#" + r.SampleIndex));
        Assert.Equal(expected.Count, page.Matching);

        var scored = index.Query(new ResultsQuery { MinScore = 0.5, MaxScore = 1, Count = 1000 });
        Assert.Equal(results.Count(r => r.Score is >= 0.5 and <= 1), scored.Matching);
        Assert.Equal(["gsm8k", "math"], index.DataSources);
        Assert.Equal(["length", "stop"], index.FinishReasons);
    }

    [Fact]
    public void Text_search_looks_in_prompt_response_and_ground_truth_ignoring_case()
    {
        var results = Results(20);
        results[3] = results[3] with { ResponseText = "The answer is NEEDLE-in-response." };
        results[7] = results[7] with { PromptText = "<|im_start|>user\nfind the needle<|im_end|>" };
        results[11] = results[11] with { GroundTruth = JsonValue.Create("needle-gt") };
        Append(results);
        var index = new ResultsIndex(File);
        index.Refresh();

        var page = index.Query(new ResultsQuery { Text = "needle", Count = 100 });

        Assert.Equal([3L, 7L, 11L], page.Rows.Select(r => r.Position));
        Assert.Equal("needle-gt", page.Rows[2].GroundTruthPreview);
    }

    [Fact]
    public void Correct_is_the_rewards_acc_when_recorded_else_a_positive_score()
    {
        var withAcc = Results(1)[0] with
        {
            Score = -1,
            RewardExtras = [new("acc", ScalarValue.FromBoolean(true)), new("pred", ScalarValue.FromText("42"))],
        };
        var withoutAcc = Results(2)[1] with { Score = 1, RewardExtras = [] };
        var wrong = Results(3)[2] with { Score = 0, RewardExtras = [] };
        Append([withAcc, withoutAcc, wrong]);
        var index = new ResultsIndex(File);
        index.Refresh();

        Assert.Equal([true, true, false], index.Samples.Select(s => s.Correct));
        Assert.Equal("42", index.Samples[0].Pred);
    }

    [Fact]
    public void A_sample_written_twice_counts_once_and_the_later_line_wins()
    {
        var results = Results(3);
        Append(results);
        Append([results[1] with { ResponseText = "rewritten", Score = 0.25 }]);
        var index = new ResultsIndex(File);
        index.Refresh();

        Assert.Equal(3, index.Count);
        var sample = index.Find(results[1].Uid, results[1].SampleIndex)!;
        Assert.Equal(0.25, sample.Score);
        Assert.Equal("rewritten", index.Read(sample).ResponseText);
    }

    [Fact]
    public void A_file_that_got_shorter_is_indexed_again()
    {
        var results = Results(6);
        Append(results);
        var index = new ResultsIndex(File);
        index.Refresh();
        System.IO.File.WriteAllText(File, string.Concat(results.Take(2).Select(r => SampleResultJson.ToLine(r) + "\n")));

        index.Refresh();

        Assert.Equal(2, index.Count);
        Assert.Equal(results[1].ResponseText, index.Read(index.Samples[1]).ResponseText);
    }

    [Fact]
    public void A_line_that_is_not_a_result_is_named_by_its_number()
    {
        Append(Results(2));
        AppendBytes(Encoding.UTF8.GetBytes("{\"uid\": \"x\"}\n"));
        var index = new ResultsIndex(File);

        var error = Assert.Throws<ResultsFormatException>(index.Refresh);

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("sample_index", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void A_missing_file_is_an_empty_index()
    {
        var index = new ResultsIndex(File);
        index.Refresh();
        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.Query(new ResultsQuery()).Matching);
    }

    private static bool IsCorrect(SampleResult r) => r.Score > 0;

    /// <summary>Results over two data sources with repeating scores (ties), both finish reasons, n = 2.</summary>
    private static List<SampleResult> Results(int count) => Enumerable.Range(0, count).Select(i => new SampleResult
    {
        Uid = $"uid-{i / 2:D3}",
        SampleIndex = i % 2,
        Position = i,
        DataSource = i % 3 == 0 ? "gsm8k" : "math",
        PromptText = $"<|im_start|>user\nQuestion {i}<|im_end|>\n",
        ResponseText = $"Response {i} #### {i % 5}",
        GroundTruth = JsonValue.Create((i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Score = (i * 7 % 5) / 4.0,
        FinishReason = i % 4 == 1 ? "length" : "stop",
        PromptTokens = 10 + i,
        ResponseTokens = 3 + (i % 9),
    }).ToList();

    private void Append(IEnumerable<SampleResult> results) =>
        System.IO.File.AppendAllText(File, string.Concat(results.Select(r => SampleResultJson.ToLine(r) + "\n")));

    private void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(File, FileMode.Append);
        stream.Write(bytes);
    }
}
