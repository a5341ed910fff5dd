using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>tokenize, detokenize and chat-template on the real tokenizer folders, checked against the oracle goldens.</summary>
public sealed class TextCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-text");

    [Fact]
    public async Task Tokenize_prints_the_oracle_ids_one_array_per_string()
    {
        var folder = TextFixtures.UnpackTokenizer("qwen2_5", _dir.Combine("qwen2_5"));
        var cases = Golden("qwen2_5").Take(20).ToList();
        var input = Write("strings.json", new JsonArray([.. cases.Select(c => c["text"]!.DeepClone())]));

        var (exit, output, error) = await CliHarness.RunAsync("tokenize", "--tokenizer-dir", folder, "--input", input);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        var ids = JsonSerializer.Deserialize<int[][]>(output)!;
        Assert.Equal(cases.Count, ids.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i]["ids"]!.AsArray().Select(id => id!.GetValue<int>()), ids[i]);
        }
    }

    [Theory]
    [InlineData(false, "decoded")]
    [InlineData(true, "decodedSkippingSpecial")]
    public async Task Detokenize_prints_the_oracle_text(bool skipSpecialTokens, string field)
    {
        var folder = TextFixtures.UnpackTokenizer("llama3", _dir.Combine("llama3"));
        var cases = Golden("llama3").Where(c => c["ids"]!.AsArray().Count > 0).ToList();
        var input = Write("ids.json", new JsonArray([.. cases.Select(c => c["ids"]!.DeepClone())]));
        string[] args = ["detokenize", "--tokenizer-dir", folder, "--input", input, .. skipSpecialTokens ? ["--skip-special-tokens"] : Array.Empty<string>()];

        var (exit, output, _) = await CliHarness.RunAsync(args);

        Assert.Equal(0, exit);
        Assert.Equal(cases.Select(c => c[field]!.GetValue<string>()), JsonSerializer.Deserialize<string[]>(output)!);
    }

    [Fact]
    public async Task Chat_template_prints_exactly_the_oracle_render_from_tokenizer_config()
    {
        var folder = TextFixtures.UnpackTokenizer("qwen3", _dir.Combine("qwen3"));
        var conversation = Conversation("tool_call_round_trip");
        var input = Write("conversation.json", new JsonObject
        {
            ["messages"] = conversation["messages"]!.DeepClone(),
            ["add_generation_prompt"] = conversation["add_generation_prompt"]!.DeepClone(),
            ["tools"] = conversation["variables"]!["tools"]!.DeepClone(),
        });

        var (exit, output, error) = await CliHarness.RunAsync("chat-template", "--tokenizer-dir", folder, "--input", input);

        Assert.True(exit == 0, error);
        Assert.Equal(RenderGolden("qwen3", "tool_call_round_trip"), output);
    }

    [Fact]
    public async Task Chat_template_passes_extra_variables_like_enable_thinking()
    {
        var folder = TextFixtures.UnpackTokenizer("qwen3", _dir.Combine("qwen3-thinking"));
        var input = Write("thinking.json", new JsonObject
        {
            ["messages"] = Conversation("enable_thinking_false")["messages"]!.DeepClone(),
            ["add_generation_prompt"] = true,
            ["enable_thinking"] = false,
        });

        var (exit, output, _) = await CliHarness.RunAsync("chat-template", "--tokenizer-dir", folder, "--input", input);

        Assert.Equal(0, exit);
        Assert.Equal(RenderGolden("qwen3", "enable_thinking_false"), output);
        Assert.EndsWith("<think>\n\n</think>\n\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_that_raises_exits_1_with_its_message_and_prints_nothing()
    {
        var folder = TextFixtures.UnpackTokenizer("qwen2_5", _dir.Combine("gemma-like"));
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), File.ReadAllText(Path.Combine(TextFixtures.Folder, "Templates", "gemma3.jinja")));
        var input = Write("bad-roles.json", new JsonObject { ["messages"] = Conversation("roles_not_alternating")["messages"]!.DeepClone() });

        var (exit, output, error) = await CliHarness.RunAsync("chat-template", "--tokenizer-dir", folder, "--input", input);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("Conversation roles must alternate", error, StringComparison.Ordinal);
        Assert.Contains("chat_template.jinja", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "tokenize", "[\"ok\", 3]", "element [1] is not a string" },
        { "tokenize", "{\"not\": \"an array\"}", "expected a JSON array of strings" },
        { "tokenize", "[\"unterminated", "not valid JSON" },
        { "detokenize", "[[1, 2], [3, 99999999]]", "element [1][1] is not an id" },
        { "detokenize", "[[1, \"x\"]]", "element [0][1] is not an id" },
        { "chat-template", "{\"messages\": \"hi\"}", "\"messages\" must be an array" },
        { "chat-template", "{\"messages\": [], \"add_generation_prompt\": \"yes\"}", "\"add_generation_prompt\" must be true or false" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_exits_2_naming_the_file_and_element(string command, string json, string expected)
    {
        var folder = TextFixtures.UnpackTokenizer("qwen2_5", _dir.Combine($"bad-{Guid.NewGuid():N}"));
        var input = _dir.Combine($"input-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, json);

        var (exit, output, error) = await CliHarness.RunAsync(command, "--tokenizer-dir", folder, "--input", input);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains(input, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_without_a_tokenizer_exits_2_naming_the_missing_file()
    {
        var input = Write("empty.json", new JsonArray());

        var (exit, _, error) = await CliHarness.RunAsync("tokenize", "--tokenizer-dir", _dir.Path, "--input", input);

        Assert.Equal(2, exit);
        Assert.Contains(Path.Combine(_dir.Path, "tokenizer.json"), error, StringComparison.Ordinal);
    }

    private string Write(string name, JsonNode content)
    {
        var path = _dir.Combine(name);
        File.WriteAllText(path, content.ToJsonString());
        return path;
    }

    private static IEnumerable<JsonObject> Golden(string family) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Tokenizers", family, "golden.json")))!["cases"]!.AsArray().Select(c => c!.AsObject());

    private static JsonObject Conversation(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Chat", "conversations.json")))!.AsArray()
            .Select(c => c!.AsObject()).Single(c => c["name"]!.GetValue<string>() == name);

    private static string RenderGolden(string template, string conversation) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Chat", "golden.json")))!["cases"]!.AsArray()
            .Select(c => c!.AsObject())
            .Single(c => c["template"]!.GetValue<string>() == template && c["conversation"]!.GetValue<string>() == conversation)["output"]!.GetValue<string>();

    public void Dispose() => _dir.Dispose();
}
