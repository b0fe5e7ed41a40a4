using System.Collections.Concurrent;

namespace LlmKit;

/// <summary>
/// The default <see cref="IApiKeyStore"/>: keys in this process's memory, lost on restart. Use the SQLite or PostgreSQL
/// store for keys that must survive a restart or be shared by several instances.
/// </summary>
public sealed class InMemoryApiKeyStore : IApiKeyStore
{
    private readonly ConcurrentDictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_keys.TryAdd(key.Id, key))
        {
            throw new InvalidOperationException($"An API key with id '{key.Id}' already exists. Create the key again to get a new id.");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_keys.TryGetValue(id, out var key) ? key : null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? tenantId = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ApiKeyRecord> keys = _keys.Values
            .Where(k => tenantId is null || string.Equals(k.TenantId, tenantId, StringComparison.Ordinal))
            .OrderBy(k => k.CreatedAt)
            .ThenBy(k => k.Id, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(keys);
    }

    /// <inheritdoc />
    public Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        while (_keys.TryGetValue(id, out var key))
        {
            if (key.RevokedAt is not null || _keys.TryUpdate(id, key with { RevokedAt = revokedAt }, key))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }
}
