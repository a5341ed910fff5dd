using System.CommandLine;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// The shape every grid command shares: the connection options on the command, and an action that checks its own
/// arguments first, connects (gateway or HTTP API) when it asks to, and maps failures to exit codes: 2 for usage errors,
/// unreadable input, no silo there, a missing or refused token and unknown ids; 1 for a grid call that failed or an
/// interrupted command. Never a stack trace.
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
            await using var invocation = new GridInvocation(command.Name, parseResult, connection, cancellationToken);
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
            catch (Exception e) when (e is OrleansException or TimeoutException or IOException or UnauthorizedAccessException or HttpRequestException)
            {
                stderr.WriteLine($"{command.Name} failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

/// <summary>One run of a grid command: its parse result, output streams, cancellation, and the grid once asked for.</summary>
internal sealed class GridInvocation(string commandName, ParseResult parseResult, GridConnectionOptions connectionOptions, CancellationToken cancellationToken) : IAsyncDisposable
{
    private IGridService? _grid;

    public ParseResult ParseResult => parseResult;

    public TextWriter Output => parseResult.InvocationConfiguration.Output;

    public TextWriter Error => parseResult.InvocationConfiguration.Error;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>
    /// The grid the options name (once): its HTTP API with <c>--api</c> or <c>VERLORLEANS_API</c>, else a connection to
    /// its gateway, which throws <see cref="GridInputException"/> when no silo answers.
    /// </summary>
    public async Task<IGridService> ConnectAsync()
    {
        if (_grid is null)
        {
            if (connectionOptions.ReadApi(parseResult) is { } api)
            {
                if (api.SendsTokenInTheClear)
                {
                    Error.WriteLine($"{commandName}: warning: the token goes to {api.Address} unencrypted; use https:// beyond this machine");
                }

                _grid = new HttpGridService(api);
            }
            else
            {
                _grid = new OrleansGridService(await GridConnection.ConnectAsync(connectionOptions.Read(parseResult), cancellationToken));
            }
        }

        return _grid;
    }

    public async ValueTask DisposeAsync()
    {
        if (_grid is not null)
        {
            await _grid.DisposeAsync();
        }
    }
}
