using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.ChatTemplates;

public sealed class ChatTemplateLoadingTests : IDisposable
{
    private readonly TempDirectory _dir = new("chat-templates");

    private static JsonArray UserAsks(string question) => [new JsonObject { ["role"] = "user", ["content"] = question }];

    [Theory]
    [InlineData("qwen2_5", "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("llama3", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")]
    public void The_template_and_special_tokens_come_from_tokenizer_config(string family, string expected)
    {
        var template = ChatTemplate.FromDirectory(TextFixtures.UnpackTokenizer(family, _dir.Combine(family)));

        Assert.Equal(expected, template.Render(UserAsks("Hi"), addGenerationPrompt: true));
        Assert.EndsWith("tokenizer_config.json", template.Origin, StringComparison.Ordinal);
    }

    [Fact]
    public void Chat_template_jinja_wins_over_tokenizer_config()
    {
        var folder = TextFixtures.UnpackTokenizer("qwen2_5", _dir.Combine("override"));
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "{{ eos_token }}|{% for m in messages %}{{ m.content }}{% endfor %}\n");

        Assert.Equal("<|im_end|>|Hi", ChatTemplate.FromDirectory(folder).Render(UserAsks("Hi"), addGenerationPrompt: false));
    }

    [Fact]
    public void Named_templates_pick_tool_use_with_tools_and_default_otherwise()
    {
        var folder = _dir.Combine("named");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["chat_template"] = new JsonArray(
                new JsonObject { ["name"] = "default", ["template"] = "plain" },
                new JsonObject { ["name"] = "tool_use", ["template"] = "tools: {{ tools | length }}" }),
        }.ToJsonString());

        Assert.Equal("plain", ChatTemplate.FromDirectory(folder).Render([], false));
        Assert.Equal("tools: 1", ChatTemplate.FromDirectory(folder, withTools: true)
            .Render([], false, new Dictionary<string, JsonNode?> { ["tools"] = new JsonArray(new JsonObject()) }));
        var missing = Assert.Throws<ChatTemplateException>(() => ChatTemplate.FromDirectory(folder, name: "rag"));
        Assert.Contains("no template named 'rag'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_named_template_list_fails_naming_the_entry()
    {
        var folder = _dir.Combine("malformed");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"chat_template": [{"name": "default", "template": 3}]}""");

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.FromDirectory(folder));

        Assert.Contains("chat_template[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_a_template_fails_naming_tokenizer_config()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.FromDirectory(_dir.Path));

        Assert.Equal(Path.Combine(_dir.Path, "tokenizer_config.json"), error.Origin);
        Assert.Null(error.TemplateError);
    }

    [Fact]
    public void A_template_syntax_error_names_the_file_line_and_column()
    {
        var folder = _dir.Combine("broken");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "ok\n{% for m in messages %}\n{{ m.content }\n");

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.FromDirectory(folder));

        Assert.Contains("chat_template.jinja: line 3, column", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.TemplateError!.Line);
    }

    public void Dispose() => _dir.Dispose();
}
