using System.Text.Json.Nodes;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>
/// The prompts both sides send: one distinct short chat per client (a system line and a gsm8k-like question, about 60
/// tokens once the chat template is applied), as /v1 chat messages and as the rows of a verl-shaped JSON Lines dataset
/// the grid's run reads, so both render the same messages with the checkpoint's own template.
/// </summary>
internal sealed class Workload
{
    private Workload(IReadOnlyList<JsonArray> messages, string dataFile)
    {
        Messages = messages;
        DataFile = dataFile;
    }

    /// <summary>Client i's chat messages; row i of <see cref="DataFile"/>.</summary>
    public IReadOnlyList<JsonArray> Messages { get; }

    public string DataFile { get; }

    public int Count => Messages.Count;

    public static Workload Write(string folder, int count)
    {
        var messages = Enumerable.Range(0, count).Select(i => new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "Be brief." },
            new JsonObject { ["role"] = "user", ["content"] = $"Q{i + 1}: {i + 3} boxes of {(2 * i) + 5} pens, {i + 1} lost. Pens left?" })).ToList();
        var dataFile = Path.Combine(folder, $"prompts-{count}.jsonl");
        File.WriteAllLines(dataFile, messages.Select((m, i) => new JsonObject
        {
            ["data_source"] = "openai/gsm8k",
            ["prompt"] = m.DeepClone(),
            ["ability"] = "math",
            ["reward_model"] = new JsonObject { ["style"] = "rule", ["ground_truth"] = $"{((i + 3) * ((2 * i) + 5)) - (i + 1)}" },
            ["extra_info"] = new JsonObject { ["index"] = i, ["split"] = "test" },
        }.ToJsonString()));
        return new Workload(messages, dataFile);
    }
}
