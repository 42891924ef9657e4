using Npgsql;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Hosting;

/// <summary>The access contract against the standalone host storing in PostgreSQL (scoped reads in PostgreSQL's SQL).</summary>
[Trait("Host", "Standalone")]
[RequiresPostgres]
public sealed class PostgresStandaloneHostAccessContractTests(PostgresAccessContractHost host)
    : OrderAccessContract(host), IClassFixture<PostgresAccessContractHost>
{
    protected override async Task<long> RowsAsync(params string[] usernames)
    {
        await using var connection = await host.Store.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM orders WHERE username = ANY(@usernames)", connection);
        command.Parameters.AddWithValue("usernames", usernames);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
