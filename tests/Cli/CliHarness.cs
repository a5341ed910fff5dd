using System.CommandLine;

namespace VerlOrleans.Cli.Tests;

/// <summary>Runs the real command tree in-process and captures what it writes.</summary>
internal static class CliHarness
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(CliApp.Build(), args);

    /// <summary>Runs <paramref name="root"/> (a tree assembled by the test, e.g. with a different prompt codec).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(RootCommand root, params string[] args) =>
        RunAsync(root, args, CancellationToken.None);

    /// <summary>Runs the real command tree; cancelling <paramref name="cancellationToken"/> is the user's Ctrl+C.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(RootCommand root, string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
