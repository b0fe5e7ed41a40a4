using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// <see cref="IApiKeyStore"/> on an embedded SQLite file (table <c>llmkit_api_keys</c>): salted hashes, never the keys.
/// Reads are not cached, so a revocation by another process on the same file is effective on the next request.
/// </summary>
public sealed class SqliteApiKeyStore : IApiKeyStore
{
    private const string Columns = "id, tenant_id, user_id, name, scopes, allowed_models, created_at, expires_at, revoked_at, salt, secret_hash, requests_per_minute, tokens_per_minute, max_request_body_bytes, max_messages, max_output_tokens";

    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over a database file; the table is created on first use.</summary>
    /// <param name="connectionString">A SQLite connection string naming a file, for example <c>Data Source=llmkit.db</c>.</param>
    /// <exception cref="LlmKitConfigurationException">The connection string cannot be parsed or names an in-memory database.</exception>
    public SqliteApiKeyStore(string connectionString)
    {
        _database = new SqliteDatabase(connectionString);
    }

    /// <inheritdoc />
    public async Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool added = await _database.WriteAsync((connection, transaction) =>
        {
            using var insert = SqliteDatabase.Command(connection, transaction, $"""
                INSERT INTO llmkit_api_keys ({Columns})
                VALUES ($id, $tenant, $user, $name, $scopes, $models, $created, $expires, $revoked, $salt, $hash, $rpm, $tpm, $body, $messages, $maxTokens)
                ON CONFLICT (id) DO NOTHING;
                """);
            var p = insert.Parameters;
            p.AddWithValue("$id", key.Id);
            p.AddWithValue("$tenant", key.TenantId);
            p.AddWithValue("$user", (object?)key.UserId ?? DBNull.Value);
            p.AddWithValue("$name", (object?)key.Name ?? DBNull.Value);
            p.AddWithValue("$scopes", JsonSerializer.Serialize(key.Scopes.ToList(), StoreJsonContext.Default.ListString));
            p.AddWithValue("$models", JsonSerializer.Serialize(key.AllowedModels.ToList(), StoreJsonContext.Default.ListString));
            p.AddWithValue("$created", key.CreatedAt.UtcTicks);
            p.AddWithValue("$expires", key.ExpiresAt is { } e ? e.UtcTicks : DBNull.Value);
            p.AddWithValue("$revoked", key.RevokedAt is { } r ? r.UtcTicks : DBNull.Value);
            p.AddWithValue("$salt", key.Salt.ToArray());
            p.AddWithValue("$hash", key.SecretHash.ToArray());
            p.AddWithValue("$rpm", (object?)key.RequestsPerMinute ?? DBNull.Value);
            p.AddWithValue("$tpm", (object?)key.TokensPerMinute ?? DBNull.Value);
            p.AddWithValue("$body", (object?)key.MaxRequestBodyBytes ?? DBNull.Value);
            p.AddWithValue("$messages", (object?)key.MaxMessages ?? DBNull.Value);
            p.AddWithValue("$maxTokens", (object?)key.MaxOutputTokens ?? DBNull.Value);
            return insert.ExecuteNonQuery() == 1;
        }, cancellationToken).ConfigureAwait(false);
        if (!added)
        {
            throw new InvalidOperationException($"An API key with id '{key.Id}' already exists. Create the key again to get a new id.");
        }
    }

    /// <inheritdoc />
    public Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.ReadAsync((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, $"SELECT {Columns} FROM llmkit_api_keys WHERE id = $id;");
            select.Parameters.AddWithValue("$id", id);
            using var reader = select.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? tenantId = null, CancellationToken cancellationToken = default)
        => _database.ReadAsync<IReadOnlyList<ApiKeyRecord>>((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, $"SELECT {Columns} FROM llmkit_api_keys WHERE $tenant IS NULL OR tenant_id = $tenant ORDER BY created_at, id;");
            select.Parameters.AddWithValue("$tenant", (object?)tenantId ?? DBNull.Value);
            using var reader = select.ExecuteReader();
            var keys = new List<ApiKeyRecord>();
            while (reader.Read())
            {
                keys.Add(Read(reader));
            }

            return keys;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.WriteAsync((connection, transaction) =>
        {
            using var update = SqliteDatabase.Command(connection, transaction, "UPDATE llmkit_api_keys SET revoked_at = coalesce(revoked_at, $at) WHERE id = $id;");
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$at", revokedAt.UtcTicks);
            return update.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    private static ApiKeyRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        UserId = r.IsDBNull(2) ? null : r.GetString(2),
        Name = r.IsDBNull(3) ? null : r.GetString(3),
        Scopes = JsonSerializer.Deserialize(r.GetString(4), StoreJsonContext.Default.ListString) ?? [],
        AllowedModels = JsonSerializer.Deserialize(r.GetString(5), StoreJsonContext.Default.ListString) ?? [],
        CreatedAt = new DateTimeOffset(r.GetInt64(6), TimeSpan.Zero),
        ExpiresAt = r.IsDBNull(7) ? null : new DateTimeOffset(r.GetInt64(7), TimeSpan.Zero),
        RevokedAt = r.IsDBNull(8) ? null : new DateTimeOffset(r.GetInt64(8), TimeSpan.Zero),
        Salt = (byte[])r.GetValue(9),
        SecretHash = (byte[])r.GetValue(10),
        RequestsPerMinute = r.IsDBNull(11) ? null : r.GetInt32(11),
        TokensPerMinute = r.IsDBNull(12) ? null : r.GetInt32(12),
        MaxRequestBodyBytes = r.IsDBNull(13) ? null : r.GetInt64(13),
        MaxMessages = r.IsDBNull(14) ? null : r.GetInt32(14),
        MaxOutputTokens = r.IsDBNull(15) ? null : r.GetInt32(15),
    };
}
