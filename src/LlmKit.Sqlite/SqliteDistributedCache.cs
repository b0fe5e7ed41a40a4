using Microsoft.Extensions.Caching.Distributed;

namespace LlmKit;

/// <summary>
/// An <see cref="IDistributedCache"/> in the same SQLite database file as the other SQLite stores (table
/// <c>llmkit_cache</c>): a persistent second level for <c>HybridCache</c>, and so for LlmKit's response cache, on one
/// machine with no server. Absolute and sliding expiration are honoured by the injected <see cref="TimeProvider"/>;
/// expired entries are never returned and are deleted in batches as new ones are written. For many machines use Redis
/// (Microsoft.Extensions.Caching.StackExchangeRedis).
/// </summary>
public sealed class SqliteDistributedCache : IDistributedCache
{
    /// <summary>How many writes of this instance start a sweep of expired entries. 256.</summary>
    private const int SweepInterval = 256;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private int _writes;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>; the file is created when missing.</param>
    /// <param name="timeProvider">The clock expiration is measured by; <see langword="null"/> (the default) uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <exception cref="LlmKitConfigurationException">The connection string cannot be parsed or names an in-memory database.</exception>
    public SqliteDistributedCache(string connectionString, TimeProvider? timeProvider = null)
    {
        _database = new SqliteDatabase(connectionString);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DataSource => _database.DataSource;

    /// <inheritdoc/>
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        long now = _time.GetUtcNow().UtcTicks;
        var (value, sliding) = await _database.ReadAsync((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, "SELECT value, sliding_ticks FROM llmkit_cache WHERE key = $key AND (expires_at IS NULL OR expires_at > $now);");
            select.Parameters.AddWithValue("$key", key);
            select.Parameters.AddWithValue("$now", now);
            using var reader = select.ExecuteReader();
            return reader.Read() ? ((byte[]?)reader.GetFieldValue<byte[]>(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)) : (null, null);
        }, token).ConfigureAwait(false);
        if (value is not null && sliding is not null)
        {
            await SlideAsync(key, now, token).ConfigureAwait(false);
        }

        return value;
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The absolute expiration is in the past or a relative one is not positive.</exception>
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var now = _time.GetUtcNow();
        DateTimeOffset? absolute = options.AbsoluteExpiration;
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            if (relative <= TimeSpan.Zero)
            {
                throw new ArgumentException($"The relative expiration must be positive; it is {relative}.", nameof(options));
            }

            absolute = now + relative;
        }

        if (absolute is { } a && a <= now)
        {
            throw new ArgumentException($"The absolute expiration {a:O} is in the past.", nameof(options));
        }

        if (options.SlidingExpiration is { } s && s <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The sliding expiration must be positive; it is {s}.", nameof(options));
        }

        long? slidingTicks = options.SlidingExpiration?.Ticks;
        long? absoluteTicks = absolute?.UtcTicks;
        long? expires = ExpiresAt(now.UtcTicks, slidingTicks, absoluteTicks);
        bool sweep = Interlocked.Increment(ref _writes) % SweepInterval == 0;
        await _database.WriteAsync((connection, transaction) =>
        {
            using var upsert = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_cache (key, value, expires_at, sliding_ticks, absolute_expires_at) VALUES ($key, $value, $expires, $sliding, $absolute)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, sliding_ticks = excluded.sliding_ticks, absolute_expires_at = excluded.absolute_expires_at;
                """);
            upsert.Parameters.AddWithValue("$key", key);
            upsert.Parameters.AddWithValue("$value", value);
            upsert.Parameters.AddWithValue("$expires", (object?)expires ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$sliding", (object?)slidingTicks ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$absolute", (object?)absoluteTicks ?? DBNull.Value);
            upsert.ExecuteNonQuery();
            if (sweep)
            {
                using var delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_cache WHERE expires_at IS NOT NULL AND expires_at <= $now;");
                delete.Parameters.AddWithValue("$now", now.UtcTicks);
                delete.ExecuteNonQuery();
            }

            return true;
        }, token).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return SlideAsync(key, _time.GetUtcNow().UtcTicks, token);
    }

    /// <inheritdoc/>
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _database.WriteAsync((connection, transaction) =>
        {
            using var delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_cache WHERE key = $key;");
            delete.Parameters.AddWithValue("$key", key);
            return delete.ExecuteNonQuery();
        }, token);
    }

    /// <inheritdoc/>
    public override string ToString() => $"SqliteDistributedCache ({DataSource})";

    private Task<int> SlideAsync(string key, long now, CancellationToken token) => _database.WriteAsync((connection, transaction) =>
    {
        // Moves a sliding entry's expiry forward, never past its absolute expiry; an expired entry stays expired.
        using var update = SqliteDatabase.Command(connection, transaction, """
            UPDATE llmkit_cache SET expires_at = CASE WHEN absolute_expires_at IS NOT NULL AND absolute_expires_at < $now + sliding_ticks THEN absolute_expires_at ELSE $now + sliding_ticks END
            WHERE key = $key AND sliding_ticks IS NOT NULL AND (expires_at IS NULL OR expires_at > $now);
            """);
        update.Parameters.AddWithValue("$key", key);
        update.Parameters.AddWithValue("$now", now);
        return update.ExecuteNonQuery();
    }, token);

    private static long? ExpiresAt(long now, long? sliding, long? absolute) => (sliding, absolute) switch
    {
        ({ } s, { } a) => Math.Min(now + s, a),
        ({ } s, null) => now + s,
        (null, { } a) => a,
        _ => null,
    };
}
