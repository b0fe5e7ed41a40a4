using Npgsql;

namespace LlmKit;

/// <summary>The data source LlmKit creates from a connection string; disposed with the service provider.</summary>
internal sealed class PostgreSqlStoresDataSource(NpgsqlDataSource dataSource) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public void Dispose() => DataSource.Dispose();
}
