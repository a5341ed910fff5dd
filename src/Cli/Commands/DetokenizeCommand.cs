using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans detokenize --tokenizer-dir DIR --input ids.json [--skip-special-tokens]</c>: a JSON array of id
/// arrays in, a JSON array of strings out, like transformers' <c>decode</c>.
/// </summary>
public static class DetokenizeCommand
{
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var tokenizerDir = TextCommandOptions.TokenizerDirectory();
        var input = TextCommandOptions.Input("A JSON file holding an array of id arrays.");
        var skip = new Option<bool>("--skip-special-tokens") { Description = "Drop special tokens, as decode(..., skip_special_tokens=True)." };
        var command = new Command("detokenize", "Decode token id arrays to strings, as a JSON array of strings.") { tokenizerDir, input, skip };
        command.SetAction(parseResult => TextCommandOptions.Run(parseResult, () =>
        {
            var file = parseResult.GetValue(input)!;
            var tokenizer = HfTokenizer.FromDirectory(parseResult.GetValue(tokenizerDir)!.FullName);
            var sequences = TextCommandInput.Read(file) as JsonArray ?? throw new CommandInputException($"{file.FullName}: expected a JSON array of id arrays");
            var texts = new List<string>(sequences.Count);
            for (var i = 0; i < sequences.Count; i++)
            {
                var ids = sequences[i] as JsonArray ?? throw new CommandInputException($"{file.FullName}: element [{i}] is not an array of ids");
                texts.Add(tokenizer.Decode(ids.Select((node, j) => node is JsonValue value && value.TryGetValue<int>(out var id) && tokenizer.IsKnown(id)
                    ? id
                    : throw new CommandInputException($"{file.FullName}: element [{i}][{j}] is not an id of this tokenizer (0..{tokenizer.VocabularySize - 1})")).ToList(),
                    parseResult.GetValue(skip)));
            }

            parseResult.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(texts, Output));
            return 0;
        }));
        return command;
    }
}
