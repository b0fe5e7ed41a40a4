using System.Data.Common;
using Npgsql;

namespace LlmKit;

/// <summary>The data source LlmKit creates from a connection string; disposed with the service provider.</summary>
internal sealed class PostgreSqlStoresDataSource(NpgsqlDataSource dataSource) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>
    /// The data source for <paramref name="connectionString"/>, with <c>No Reset On Close=true</c> unless the string sets
    /// it: LlmKit's statements leave no session state, so resetting each returned connection on the server (a batch of
    /// seven statements sent ahead of the next command) would only add work to every store call.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        return builder.Build();
    }

    public void Dispose() => DataSource.Dispose();
}
