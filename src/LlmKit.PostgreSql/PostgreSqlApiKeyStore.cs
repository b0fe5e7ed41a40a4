using Npgsql;

namespace LlmKit;

/// <summary>
/// <see cref="IApiKeyStore"/> on PostgreSQL (table <c>llmkit_api_keys</c>), for API keys shared by every instance of an
/// app: salted hashes, never the keys. Reads are not cached, so a revocation is effective on the next request on every
/// instance.
/// </summary>
public sealed class PostgreSqlApiKeyStore : IApiKeyStore
{
    private const string Columns = "id, tenant_id, user_id, name, scopes, allowed_models, created_at, expires_at, revoked_at, salt, secret_hash, requests_per_minute, tokens_per_minute, max_request_body_bytes, max_messages, max_output_tokens";

    private readonly PostgreSqlDatabase _database;

    /// <summary>Creates the store over a data source; the table is created on first use.</summary>
    /// <param name="dataSource">The PostgreSQL data source (owned by the caller).</param>
    public PostgreSqlApiKeyStore(NpgsqlDataSource dataSource)
    {
        _database = new PostgreSqlDatabase(dataSource);
    }

    /// <inheritdoc />
    public async Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool added = await _database.RunAsync(async (connection, transaction) =>
        {
            await using var insert = PostgreSqlDatabase.Command(connection, transaction, $"""
                INSERT INTO llmkit_api_keys ({Columns})
                VALUES (@id, @tenant, @user, @name, @scopes, @models, @created, @expires, @revoked, @salt, @hash, @rpm, @tpm, @body, @messages, @maxTokens)
                ON CONFLICT (id) DO NOTHING;
                """);
            var p = insert.Parameters;
            p.AddWithValue("id", key.Id);
            p.AddWithValue("tenant", key.TenantId);
            p.AddWithValue("user", (object?)key.UserId ?? DBNull.Value);
            p.AddWithValue("name", (object?)key.Name ?? DBNull.Value);
            p.AddWithValue("scopes", key.Scopes.ToArray());
            p.AddWithValue("models", key.AllowedModels.ToArray());
            p.AddWithValue("created", key.CreatedAt.ToUniversalTime());
            p.AddWithValue("expires", key.ExpiresAt is { } e ? e.ToUniversalTime() : DBNull.Value);
            p.AddWithValue("revoked", key.RevokedAt is { } r ? r.ToUniversalTime() : DBNull.Value);
            p.AddWithValue("salt", key.Salt.ToArray());
            p.AddWithValue("hash", key.SecretHash.ToArray());
            p.AddWithValue("rpm", (object?)key.RequestsPerMinute ?? DBNull.Value);
            p.AddWithValue("tpm", (object?)key.TokensPerMinute ?? DBNull.Value);
            p.AddWithValue("body", (object?)key.MaxRequestBodyBytes ?? DBNull.Value);
            p.AddWithValue("messages", (object?)key.MaxMessages ?? DBNull.Value);
            p.AddWithValue("maxTokens", (object?)key.MaxOutputTokens ?? DBNull.Value);
            return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
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
        return _database.RunAsync(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, $"SELECT {Columns} FROM llmkit_api_keys WHERE id = @id;");
            select.Parameters.AddWithValue("id", id);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? tenantId = null, CancellationToken cancellationToken = default)
        => _database.RunAsync<IReadOnlyList<ApiKeyRecord>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, $"SELECT {Columns} FROM llmkit_api_keys WHERE @tenant::text IS NULL OR tenant_id = @tenant ORDER BY created_at, id;");
            select.Parameters.AddWithValue("tenant", NpgsqlTypes.NpgsqlDbType.Text, (object?)tenantId ?? DBNull.Value);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var keys = new List<ApiKeyRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(Read(reader));
            }

            return keys;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _database.RunAsync(async (connection, transaction) =>
        {
            await using var update = PostgreSqlDatabase.Command(connection, transaction, "UPDATE llmkit_api_keys SET revoked_at = coalesce(revoked_at, @at) WHERE id = @id;");
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("at", revokedAt.ToUniversalTime());
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    private static ApiKeyRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        UserId = r.IsDBNull(2) ? null : r.GetString(2),
        Name = r.IsDBNull(3) ? null : r.GetString(3),
        Scopes = r.GetFieldValue<string[]>(4),
        AllowedModels = r.GetFieldValue<string[]>(5),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(6),
        ExpiresAt = r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
        RevokedAt = r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
        Salt = r.GetFieldValue<byte[]>(9),
        SecretHash = r.GetFieldValue<byte[]>(10),
        RequestsPerMinute = r.IsDBNull(11) ? null : r.GetInt32(11),
        TokensPerMinute = r.IsDBNull(12) ? null : r.GetInt32(12),
        MaxRequestBodyBytes = r.IsDBNull(13) ? null : r.GetInt64(13),
        MaxMessages = r.IsDBNull(14) ? null : r.GetInt32(14),
        MaxOutputTokens = r.IsDBNull(15) ? null : r.GetInt32(15),
    };
}
