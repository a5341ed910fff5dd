using System.Diagnostics;
using Npgsql;

namespace VerlOrleans.Silo.Hosting;

/// <summary>
/// Applies <c>schema.sql</c> (the tables and queries behind Orleans' ADO.NET clustering and persistence) before the
/// silo joins the cluster, so a deployment needs an empty database and a login, nothing run by hand. Every silo does
/// it at start, serialized by an advisory lock; the script is idempotent. A database still starting (containers
/// coming up together) is retried for <see cref="ConnectTimeout"/>.
/// </summary>
public sealed class PostgresSchema(string connectionString) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long to keep trying to reach the database before the silo gives up starting.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    // Any constant shared by every silo: the advisory lock that orders concurrent schema setups.
    private const long SchemaLockKey = 0x7665726C6F726C;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchema), ServiceLifecycleStage.First, ApplyAsync);

    /// <summary>Creates what is missing and replaces the queries; safe to run any number of times, concurrently.</summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var script = Script();
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
                {
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var command = new NpgsqlCommand(script, connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && started.Elapsed < ConnectTimeout)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"{ClusterSettings.SectionName}:ConnectionString: could not set up the PostgreSQL schema ({e.Message})", e);
            }
        }
    }

    /// <summary>The script, embedded in this assembly.</summary>
    public static string Script()
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream("VerlOrleans.Silo.Postgres.schema.sql")
            ?? throw new InvalidOperationException("the embedded PostgreSQL schema script is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
