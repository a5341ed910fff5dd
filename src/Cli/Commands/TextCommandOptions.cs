using System.CommandLine;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Cli.Commands;

/// <summary>The options and the error handling the tokenize, detokenize and chat-template commands share.</summary>
internal static class TextCommandOptions
{
    public static Option<DirectoryInfo> TokenizerDirectory() => new("--tokenizer-dir")
    {
        Description = "A Hugging Face tokenizer folder (tokenizer.json, tokenizer_config.json, ...).",
        Required = true,
    };

    public static Option<FileInfo> Input(string description) => new("--input") { Description = description, Required = true };

    /// <summary>
    /// Runs a command body: exit 0 on success; 2 with the message on stderr when the input or the tokenizer folder
    /// is unreadable or malformed; 1 when the template itself fails (e.g. its own raise_exception).
    /// </summary>
    public static int Run(ParseResult parseResult, Func<int> body)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return body();
        }
        catch (Exception e) when (e is CommandInputException or TokenizerFormatException)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        catch (ChatTemplateException e) when (e.TemplateError is null)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        catch (ChatTemplateException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}
