using System.Runtime.CompilerServices;
using VerlOrleans.Evaluation.Datasets;

namespace VerlOrleans.Evaluation.Results;

/// <summary>What an evaluation still has to generate: every (row, sample index) of the dataset that the results folder lacks.</summary>
public static class PendingSamples
{
    /// <summary>
    /// The dataset's rows in order, each with the sample indices 0..n−1 not yet written to <paramref name="writer"/>;
    /// rows whose n samples are all written are skipped. This is how a resumed run continues where it stopped.
    /// </summary>
    public static async IAsyncEnumerable<(DatasetRow Row, IReadOnlyList<int> SampleIndices)> ReadAsync(
        VerlDataset dataset, int samplesPerPrompt, ResultsWriter writer, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrompt, 1);
        await foreach (var row in dataset.ReadAsync(cancellationToken))
        {
            var missing = Enumerable.Range(0, samplesPerPrompt).Where(i => !writer.IsCompleted(row.Uid, i)).ToArray();
            if (missing.Length > 0)
            {
                yield return (row, missing);
            }
        }
    }
}
