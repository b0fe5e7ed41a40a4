using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Npgsql;

namespace LlmKit;

/// <summary>
/// A <see cref="VectorStore"/> on PostgreSQL without extensions (no pgvector needed): records as <c>jsonb</c> with their
/// vectors stored beside them as float32 blobs, keyword search on a <c>tsvector</c> (GIN index, <c>ts_rank</c>), and
/// exact vector search with TensorPrimitives over an in-process copy that each machine reloads when the collection
/// changed. For vector search over millions of records, use the pgvector VectorData connector instead.
/// </summary>
public sealed class PostgreSqlVectorStore : VectorStore
{
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new store.</summary>
    /// <param name="dataSource">The Npgsql data source; not disposed by the store.</param>
    public PostgreSqlVectorStore(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _database = new PostgreSqlDatabase(dataSource);
    }

    /// <inheritdoc />
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new PostgreSqlVectorStoreCollection<TKey, TRecord>(_database, name, definition);
    }

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(definition);
        return new PostgreSqlVectorStoreCollection<object, Dictionary<string, object?>>(_database, name, definition);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = await _database.RunAsync(async (connection, transaction) =>
        {
            await using var command = PostgreSqlDatabase.Command(connection, transaction, "SELECT name FROM llmkit_vector_collections ORDER BY name;");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(reader.GetString(0));
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);
        foreach (string name in names)
        {
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) =>
        PostgreSqlVectorTables.ExistsAsync(_database, name, cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default) =>
        PostgreSqlVectorTables.DeleteAsync(_database, name, cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? new VectorStoreMetadata { VectorStoreSystemName = PostgreSqlVectorTables.SystemName }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }
}
