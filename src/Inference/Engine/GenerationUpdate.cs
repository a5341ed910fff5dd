namespace VerlOrleans.Inference.Engine;

/// <summary>
/// What one sequence of a streaming request gained in one step: new token ids, the text they completed
/// (held back while it might be the start of a stop string or an unfinished character), and the finish reason
/// once it ended.
/// </summary>
public sealed record GenerationUpdate(int SequenceIndex, IReadOnlyList<int> TokenIds, string? Text, FinishReason? FinishReason);
