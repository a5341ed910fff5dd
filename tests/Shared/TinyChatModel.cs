using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Testing;

/// <summary>
/// The committed tiny Qwen2 chat model (<c>tests/Fixtures/tiny-chat</c>, written by tools/tiny-model/make_tiny_chat.py)
/// and its reference: chats rendered by python3-jinja2, tokenized by the script's own BPE, continued greedily by PyTorch.
/// </summary>
public static class TinyChatModel
{
    public static string Folder { get; } = Require(Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat"));

    public static TinyChatReference Reference { get; } = TinyChatReference.Load(Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat.reference.json"));

    private static string Require(string folder) =>
        File.Exists(Path.Combine(folder, "model.safetensors"))
            ? folder
            : throw new InvalidOperationException($"{folder} is missing its model; regenerate it with /usr/bin/python3 tools/tiny-model/make_tiny_chat.py");
}

/// <summary>tiny-chat.reference.json: eos ids, the greedy budget and the chat cases.</summary>
public sealed record TinyChatReference(int MaxNewTokens, IReadOnlyList<int> EosTokenIds, IReadOnlyList<TinyChatCase> Cases)
{
    public TinyChatCase Case(string name) => Cases.Single(c => c.Name == name);

    public static TinyChatReference Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        if (root["format"]!.GetValue<string>() != "verlorleans.tiny-chat-reference" || root["version"]!.GetValue<int>() != 1)
        {
            throw new InvalidDataException($"{path}: not a version 1 tiny-chat reference");
        }

        var cases = root["cases"]!.AsArray().Select(c => new TinyChatCase(
            c!["name"]!.GetValue<string>(),
            c["messages"]!.AsArray(),
            c["prompt_text"]!.GetValue<string>(),
            Ints(c["prompt_ids"]!),
            Ints(c["greedy_ids"]!),
            c["finish_reason"]!.GetValue<string>(),
            c["response_text"]!.GetValue<string>())).ToList();
        return new TinyChatReference(root["max_new_tokens"]!.GetValue<int>(), Ints(root["eos_token_ids"]!), cases);
    }

    private static int[] Ints(JsonNode node) => node.Deserialize<int[]>()!;
}

/// <summary>One chat: its messages, the prompt text and ids verl would send, and PyTorch's greedy continuation.</summary>
public sealed record TinyChatCase(string Name, JsonArray Messages, string PromptText, IReadOnlyList<int> PromptIds,
    IReadOnlyList<int> GreedyIds, string FinishReason, string ResponseText);
