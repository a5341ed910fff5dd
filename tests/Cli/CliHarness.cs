using System.CommandLine;

namespace VerlOrleans.Cli.Tests;

/// <summary>Runs the real command tree in-process and captures what it writes.</summary>
internal static class CliHarness
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
