using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace LlmKit;

/// <summary>
/// A <see cref="VectorStore"/> in an embedded SQLite file (the same file as LlmKit's other SQLite stores): records as
/// JSON with their vectors as float32 blobs, exact vector search with TensorPrimitives (SIMD) over an in-process copy of
/// the vectors, FTS5 BM25 for keywords, hybrid search fusing both. A general store for any record type: the knowledge
/// service and the response cache use it. Several processes may share the file; each reloads its copy when another
/// process has written.
/// </summary>
public sealed class SqliteVectorStore : VectorStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new store over a SQLite database.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, such as <c>Data Source=llmkit.db</c>.</param>
    public SqliteVectorStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _database = new SqliteDatabase(connectionString);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DataSource => _database.DataSource;

    /// <inheritdoc />
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new SqliteVectorStoreCollection<TKey, TRecord>(_database, name, definition);
    }

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(definition);
        return new SqliteVectorStoreCollection<object, Dictionary<string, object?>>(_database, name, definition);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = await _database.ReadAsync((connection, transaction) =>
        {
            using var command = SqliteDatabase.Command(connection, transaction, "SELECT name FROM llmkit_vector_collections ORDER BY name;");
            using var reader = command.ExecuteReader();
            var list = new List<string>();
            while (reader.Read())
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
        SqliteVectorTables.ExistsAsync(_database, name, cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default) =>
        SqliteVectorTables.DeleteAsync(_database, name, cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? new VectorStoreMetadata { VectorStoreSystemName = SqliteVectorTables.SystemName }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }
}
