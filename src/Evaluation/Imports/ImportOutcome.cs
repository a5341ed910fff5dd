namespace VerlOrleans.Evaluation.Imports;

/// <summary>What an import wrote: the results folder and verl's metrics, and what became of every sample.</summary>
/// <param name="Folder">The results folder.</param>
/// <param name="Step">The global step the file belongs to, when it says.</param>
/// <param name="Metrics">verl's validation metrics over every imported sample.</param>
/// <param name="Samples">Samples written.</param>
/// <param name="Rescored">Samples scored with this grid's rewards.</param>
/// <param name="Kept">Samples that kept verl's stored score (no reward routes their data source, or it was asked for).</param>
/// <param name="Unscored">Samples with neither (a generation output whose data source no reward routes): score 0 with a reward error.</param>
/// <param name="Rejected">Lines or rows left out, with why.</param>
/// <param name="Disagreements">Re-scored samples whose score differs from verl's stored one.</param>
public sealed record ImportOutcome(
    string Folder,
    long? Step,
    IReadOnlyList<KeyValuePair<string, double>> Metrics,
    long Samples,
    long Rescored,
    long Kept,
    long Unscored,
    IReadOnlyList<ImportRejection> Rejected,
    IReadOnlyList<ScoreDisagreement> Disagreements);
