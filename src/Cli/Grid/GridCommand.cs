using System.CommandLine;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// The shape every grid command shares: the connection options on the command, and an action that checks its own
/// arguments first, connects when it asks to, and maps failures to exit codes: 2 for usage errors, unreadable input,
/// no silo at the gateway and unknown ids; 1 for a grid call that failed or an interrupted command.
/// </summary>
internal static class GridCommand
{
    public static Command WithGridAction(this Command command, Func<GridInvocation, Task<int>> action)
    {
        var connection = new GridConnectionOptions();
        foreach (var option in connection.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stderr = parseResult.InvocationConfiguration.Error;
            await using var invocation = new GridInvocation(parseResult, connection, cancellationToken);
            try
            {
                return await action(invocation);
            }
            catch (Exception e) when (e is ArgumentException or GridInputException or RewardConfigurationException)
            {
                stderr.WriteLine($"{command.Name}: {e.Message}");
                return 2;
            }
            catch (RequestRefusedException refused)
            {
                // The grid refused before anything started: the same field messages the HTTP API answers.
                foreach (var error in refused.Errors.Count > 0 ? refused.Errors : [new FieldError("request", refused.Message)])
                {
                    stderr.WriteLine($"{command.Name}: {error.Field} {error.Message}");
                }

                return 2;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stderr.WriteLine($"{command.Name}: interrupted (the grid carries on; nothing was cancelled there)");
                return 1;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{command.Name} failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

/// <summary>One run of a grid command: its parse result, output streams, cancellation, and the connection once asked for.</summary>
internal sealed class GridInvocation(ParseResult parseResult, GridConnectionOptions connectionOptions, CancellationToken cancellationToken) : IAsyncDisposable
{
    private GridConnection? _connection;

    public ParseResult ParseResult => parseResult;

    public TextWriter Output => parseResult.InvocationConfiguration.Output;

    public TextWriter Error => parseResult.InvocationConfiguration.Error;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>Connects to the gateway the options name (once); throws <see cref="GridInputException"/> when no silo answers.</summary>
    public async Task<GridConnection> ConnectAsync() =>
        _connection ??= await GridConnection.ConnectAsync(connectionOptions.Read(parseResult), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
