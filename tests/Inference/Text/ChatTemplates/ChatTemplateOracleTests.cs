using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.ChatTemplates;

/// <summary>
/// Every template of Fixtures/Templates (Qwen2.5, Qwen3, Llama 3, Llama 3.1 with tools, Mistral v0.3, Gemma 3,
/// DeepSeek V3 and a probe of the Jinja subset) rendered with every conversation of Fixtures/Chat, compared byte
/// for byte with Debian's python3-jinja2 configured as transformers (tools/text-oracle/render-oracle.py). Where the
/// oracle failed, the render must fail too; where the template raised, with the same message.
/// </summary>
public sealed class ChatTemplateOracleTests
{
    private static readonly string Fixtures = TextFixtures.Folder;

    public static TheoryData<string> TemplateNames => new(Manifest().Select(t => t["name"]!.GetValue<string>()));

    [Theory]
    [MemberData(nameof(TemplateNames))]
    public void Renders_match_the_oracle_byte_for_byte(string templateName)
    {
        var entry = Manifest().Single(t => t["name"]!.GetValue<string>() == templateName);
        var specialTokens = entry["special_tokens"]!.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<string>());
        var template = ChatTemplate.FromString(File.ReadAllText(Path.Combine(Fixtures, "Templates", entry["file"]!.GetValue<string>())), specialTokens)
            .With(clock: FixedClock.OracleTime);
        var conversations = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "Chat", "conversations.json")))!.AsArray()
            .ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!.AsObject());
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "Chat", "golden.json")))!["cases"]!.AsArray()
            .Select(c => c!.AsObject())
            .Where(c => c["template"]!.GetValue<string>() == templateName)
            .ToList();

        var mismatches = new List<string>();
        foreach (var golden in cases)
        {
            var name = golden["conversation"]!.GetValue<string>();
            var conversation = conversations[name];
            var variables = (conversation["variables"]?.AsObject() ?? []).ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone());
            string? output = null;
            ChatTemplateException? error = null;
            try
            {
                output = template.Render(conversation["messages"]!.AsArray(), conversation["add_generation_prompt"]!.GetValue<bool>(), variables);
            }
            catch (ChatTemplateException e)
            {
                error = e;
            }

            var expected = golden["output"]?.GetValue<string>();
            var raised = golden["raised"]?.GetValue<string>();
            if (expected is not null && output != expected)
            {
                mismatches.Add($"{name}: expected {JsonSerializer.Serialize(expected)}\n   got {(error is null ? JsonSerializer.Serialize(output) : error.Message)}");
            }
            else if (raised is not null && error?.RaisedMessage != raised)
            {
                mismatches.Add($"{name}: expected raise_exception({JsonSerializer.Serialize(raised)}), got {(error is null ? JsonSerializer.Serialize(output) : error.Message)}");
            }
            else if (expected is null && raised is null && error is null)
            {
                mismatches.Add($"{name}: the oracle failed ({golden["error"]}), this rendered {JsonSerializer.Serialize(output)}");
            }
        }

        Assert.True(cases.Count > 0, $"no golden cases for {templateName}");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} renders differ:\n" + string.Join('\n', mismatches));
    }

    private static List<JsonNode> Manifest() =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "Templates", "templates.json")))!.AsArray().Select(t => t!)];
}
