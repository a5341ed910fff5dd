using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans tokenize --tokenizer-dir DIR --input strings.json</c>: a JSON array of strings in, a JSON array
/// of id arrays out, one per string, like transformers' <c>encode(text, add_special_tokens=False)</c>.
/// </summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizerDir = TextCommandOptions.TokenizerDirectory();
        var input = TextCommandOptions.Input("A JSON file holding an array of strings.");
        var command = new Command("tokenize", "Encode strings to token ids (add_special_tokens=False), as a JSON array of id arrays.") { tokenizerDir, input };
        command.SetAction(parseResult => TextCommandOptions.Run(parseResult, () =>
        {
            var file = parseResult.GetValue(input)!;
            var texts = TextCommandInput.Read(file) as JsonArray ?? throw new CommandInputException($"{file.FullName}: expected a JSON array of strings");
            var strings = texts.Select((node, i) => node is JsonValue value && value.TryGetValue<string>(out var text)
                ? text
                : throw new CommandInputException($"{file.FullName}: element [{i}] is not a string")).ToList();
            var tokenizer = HfTokenizer.FromDirectory(parseResult.GetValue(tokenizerDir)!.FullName);
            var ids = new List<IReadOnlyList<int>>(strings.Count);
            for (var i = 0; i < strings.Count; i++)
            {
                try
                {
                    ids.Add(tokenizer.Encode(strings[i]));
                }
                catch (ArgumentException e)
                {
                    throw new CommandInputException($"{file.FullName}: element [{i}]: {e.Message}");
                }
            }

            parseResult.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(ids));
            return 0;
        }));
        return command;
    }
}
