namespace VerlOrleans.Evaluation.Runs;

/// <summary>
/// One response: which of the N samples it is, its token ids (a final stop token included), its text (decoded with
/// special tokens skipped, cut before a matched stop string) and why it ended (<c>stop</c> or <c>length</c>).
/// </summary>
public sealed record GeneratedResponse(int SampleIndex, IReadOnlyList<int> TokenIds, string Text, string FinishReason);
