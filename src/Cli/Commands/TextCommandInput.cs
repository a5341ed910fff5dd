using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Cli.Commands;

/// <summary>Reading the JSON input file of the text commands; a problem is a <see cref="CommandInputException"/> (exit code 2).</summary>
internal static class TextCommandInput
{
    public static JsonNode Read(FileInfo file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file.FullName), documentOptions: new JsonDocumentOptions { MaxDepth = 256 })
                ?? throw new CommandInputException($"{file.FullName}: the file holds JSON null");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandInputException($"{file.FullName}: cannot read: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new CommandInputException($"{file.FullName}: not valid JSON: {e.Message}");
        }
    }
}

/// <summary>Unreadable or malformed command input: the command prints the message and exits with 2.</summary>
internal sealed class CommandInputException(string message) : Exception(message);
