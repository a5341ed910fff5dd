namespace VerlOrleans.Cli.Generation;

/// <summary>
/// The text side of <c>generate</c> for one model folder: a plain prompt or a chat (the messages file's JSON,
/// rendered with the model's chat template, generation prompt added) to token ids, and generated ids back to
/// text (special tokens skipped). Implemented by the tokenizer / chat-template library (src/Inference/Text).
/// </summary>
public interface IPromptCodec
{
    IReadOnlyList<int> EncodePrompt(string text);

    IReadOnlyList<int> EncodeMessages(string messagesJson);

    string Decode(IReadOnlyList<int> tokenIds);
}

/// <summary>Opens the prompt codec of a model folder; null when this build has none.</summary>
public delegate IPromptCodec? PromptCodecLoader(string modelFolder);
