using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.ChatTemplates;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans chat-template --tokenizer-dir DIR --input conversation.json</c>: renders the folder's chat
/// template for <c>{"messages": [...], "add_generation_prompt": true, "tools": [...], ...}</c> and prints the
/// text exactly (no newline added), like <c>apply_chat_template(..., tokenize=False)</c>.
/// </summary>
public static class ChatTemplateCommand
{
    public static Command Create()
    {
        var tokenizerDir = TextCommandOptions.TokenizerDirectory();
        var input = TextCommandOptions.Input("A JSON object with \"messages\" and any template variables (add_generation_prompt, tools, enable_thinking, ...).");
        var command = new Command("chat-template", "Render the tokenizer folder's chat template and print exactly the prompt text.") { tokenizerDir, input };
        command.SetAction(parseResult => TextCommandOptions.Run(parseResult, () =>
        {
            var file = parseResult.GetValue(input)!;
            var conversation = TextCommandInput.Read(file) as JsonObject ?? throw new CommandInputException($"{file.FullName}: expected a JSON object with \"messages\"");
            var messages = conversation["messages"] as JsonArray ?? throw new CommandInputException($"{file.FullName}: \"messages\" must be an array");
            var addGenerationPrompt = conversation["add_generation_prompt"] switch
            {
                null => false,
                JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
                _ => throw new CommandInputException($"{file.FullName}: \"add_generation_prompt\" must be true or false"),
            };
            var variables = conversation
                .Where(pair => pair.Key is not ("messages" or "add_generation_prompt"))
                .ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone());
            var withTools = variables.TryGetValue("tools", out var tools) && tools is not null;
            var template = ChatTemplate.FromDirectory(parseResult.GetValue(tokenizerDir)!.FullName, withTools: withTools);
            string rendered;
            try
            {
                rendered = template.Render((JsonArray)messages.DeepClone(), addGenerationPrompt, variables);
            }
            catch (ArgumentException e)
            {
                throw new CommandInputException($"{file.FullName}: {e.Message}");
            }

            parseResult.InvocationConfiguration.Output.Write(rendered);
            return 0;
        }));
        return command;
    }
}
