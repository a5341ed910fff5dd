using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Samples;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Results.Index;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// A run grain's view of its samples: the results index of its folder, refreshed on each query (only new lines
/// are read), worked on the thread pool one query at a time, answered in the contract's terms.
/// </summary>
public sealed class RunSamples(string resultsDirectory) : IDisposable
{
    private readonly ResultsIndex _index = new(Path.Combine(resultsDirectory, ResultsFolder.ResultsJsonlFile));
    private readonly SemaphoreSlim _lock = new(1, 1);

    public Task<SamplePage> QueryAsync(SampleQuery query) => WithIndexAsync(index =>
    {
        var page = index.Query(new ResultsQuery
        {
            Offset = query.Offset,
            Count = Math.Clamp(query.Count, 0, SampleQuery.MaxCount),
            SortBy = (ResultsSortKey)query.SortBy,
            Descending = query.Descending,
            DataSource = Blank(query.DataSource),
            Correct = query.Correctness switch
            {
                SampleCorrectness.Correct => true,
                SampleCorrectness.Incorrect => false,
                _ => null,
            },
            FinishReason = Blank(query.FinishReason),
            Text = Blank(query.Text),
            MinScore = query.MinScore,
            MaxScore = query.MaxScore,
        });
        return new SamplePage(page.Rows.Select(ToRow).ToList(), page.Matching, index.Count, [.. index.DataSources], [.. index.FinishReasons]);
    });

    public Task<SampleDetail?> GetAsync(string uid, int sampleIndex) =>
        WithIndexAsync(index => index.Find(uid, sampleIndex) is { } sample ? ToDetail(sample, index.Read(sample)) : null);

    public Task<IReadOnlyList<SampleDetail>> OfPromptAsync(string uid) =>
        WithIndexAsync<IReadOnlyList<SampleDetail>>(index => index.OfPrompt(uid).Select(s => ToDetail(s, index.Read(s))).ToList());

    public Task<IReadOnlyList<SampleOutcome>> OutcomesAsync() => WithIndexAsync<IReadOnlyList<SampleOutcome>>(index =>
        index.Samples.OrderBy(s => s.Position).ThenBy(s => s.SampleIndex)
            .Select(s => new SampleOutcome(s.Uid, s.SampleIndex, s.Position, s.DataSource, s.Score, s.Correct)).ToList());

    public void Dispose() => _lock.Dispose();

    private async Task<T> WithIndexAsync<T>(Func<ResultsIndex, T> work)
    {
        await _lock.WaitAsync();
        try
        {
            return await Task.Run(() =>
            {
                _index.Refresh();
                return work(_index);
            });
        }
        finally
        {
            _lock.Release();
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static SampleRow ToRow(IndexedSample s) => new(
        s.Uid, s.SampleIndex, s.Position, s.DataSource, s.Score, s.Correct, s.Pred, s.FinishReason, s.PromptTokens,
        s.ResponseTokens, s.GenerationSeconds, s.ResponsePreview, s.GroundTruthPreview);

    private static SampleDetail ToDetail(IndexedSample sample, SampleResult result) => new(
        ToRow(sample),
        result.PromptText,
        result.ResponseText,
        result.GroundTruth?.ToJsonString(),
        result.RewardExtras.Select(e => new KeyValuePair<string, string>(e.Key, e.Value.ToString())).ToList(),
        result.ExtraInfo is JsonObject { Count: > 0 } info ? info.ToJsonString() : null,
        result.Ability,
        result.RewardError);
}
