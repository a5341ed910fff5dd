using Npgsql;
using VerlOrleans.Silo.Hosting;
using VerlOrleans.Testing.Servers;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>
/// The PostgreSQL schema every silo applies at start, on a real server: silos starting together all succeed, applying
/// it again changes nothing, and it holds every query Orleans' ADO.NET clustering and persistence ask for by key.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresSchemaTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    /// <summary>The keys Orleans 10.4's clustering and grain storage read from OrleansQuery (their startup fails without one).</summary>
    private static readonly string[] OrleansQueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "MembershipReadRowKey",
        "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "CleanupDefunctSiloEntriesKey",
        "CleanupDefunctSiloEntryKey", "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
    ];

    [Fact]
    public async Task Silos_applying_the_schema_at_once_all_succeed_and_applying_it_again_changes_nothing()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new PostgresSchema(postgres.ConnectionString).ApplyAsync(CancellationToken.None)));
        var queries = await QueriesAsync();
        Assert.Equal(OrleansQueryKeys.Order(StringComparer.Ordinal), queries.Keys.Order(StringComparer.Ordinal));

        await ExecuteAsync("INSERT INTO vo_membership_version (deployment_id, version) VALUES ('kept', 7)");
        await new PostgresSchema(postgres.ConnectionString).ApplyAsync(CancellationToken.None);
        Assert.Equal(queries, await QueriesAsync());
        Assert.Equal(7L, await ScalarAsync("SELECT version FROM vo_membership_version WHERE deployment_id = 'kept'"));
    }

    [Fact]
    public async Task A_grain_state_write_with_a_stale_version_changes_nothing_and_says_so()
    {
        await new PostgresSchema(postgres.ConnectionString).ApplyAsync(CancellationToken.None);
        var write = (await QueriesAsync())["WriteToStorageKey"];

        Assert.Equal(1, await WriteAsync(write, version: null, payload: [1]));
        Assert.Null(await WriteAsync(write, version: null, payload: [2]));
        Assert.Equal(2, await WriteAsync(write, version: 1, payload: [3]));
        Assert.Equal(1, await WriteAsync(write, version: 1, payload: [4]));
        Assert.Equal(new byte[] { 3 }, await ScalarAsync("SELECT payload FROM vo_grain_state WHERE grain_type = 'test-grain'"));
    }

    private async Task<int?> WriteAsync(string query, int? version, byte[] payload)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(query, connection);
        command.Parameters.AddWithValue("GrainIdHash", 42);
        command.Parameters.AddWithValue("GrainIdN0", 0L);
        command.Parameters.AddWithValue("GrainIdN1", 0L);
        command.Parameters.AddWithValue("GrainTypeHash", 7);
        command.Parameters.AddWithValue("GrainTypeString", "test-grain");
        command.Parameters.AddWithValue("GrainIdExtensionString", "run-1");
        command.Parameters.AddWithValue("ServiceId", "verlorleans");
        command.Parameters.Add(new NpgsqlParameter("GrainStateVersion", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)version ?? DBNull.Value });
        command.Parameters.AddWithValue("PayloadBinary", payload);
        return await command.ExecuteScalarAsync() is int next ? next : null;
    }

    private async Task<Dictionary<string, string>> QueriesAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            queries[reader.GetString(0)] = reader.GetString(1);
        }

        return queries;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is int i ? (long)i : value;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
