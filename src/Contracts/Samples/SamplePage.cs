namespace VerlOrleans.Contracts.Samples;

/// <summary>A page of samples and what the grid needs around it (match count, filter choices).</summary>
/// <param name="Rows">The samples of the page, in the query's order.</param>
/// <param name="Matching">Samples matching the filters, over all pages.</param>
/// <param name="Total">Samples in the results so far.</param>
/// <param name="DataSources">Every data source among the results (for the filter).</param>
/// <param name="FinishReasons">Every finish reason among the results (for the filter).</param>
[GenerateSerializer, Immutable]
public sealed record SamplePage(
    [property: Id(0)] IReadOnlyList<SampleRow> Rows,
    [property: Id(1)] int Matching,
    [property: Id(2)] int Total,
    [property: Id(3)] IReadOnlyList<string> DataSources,
    [property: Id(4)] IReadOnlyList<string> FinishReasons)
{
    public static SamplePage Empty { get; } = new([], 0, 0, [], []);
}
