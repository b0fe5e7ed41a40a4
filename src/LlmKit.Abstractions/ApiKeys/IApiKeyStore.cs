namespace LlmKit;

/// <summary>
/// Where LlmKit API keys are kept, as <see cref="ApiKeyRecord"/>s (salted hashes, never the keys). Implementations in
/// memory (the default, in <c>LlmKit</c>), SQLite and PostgreSQL; reads are not cached, so a revocation is effective on
/// the next request on every instance that shares the store.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>Adds a new key.</summary>
    /// <param name="key">The key to add; its <see cref="ApiKeyRecord.Id"/> must be new.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the key is stored.</returns>
    /// <exception cref="InvalidOperationException">A key with the same id exists.</exception>
    Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);

    /// <summary>Finds a key by id, revoked and expired ones included.</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The key, or <see langword="null"/> when there is none with that id.</returns>
    Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists keys, oldest first, revoked and expired ones included.</summary>
    /// <param name="tenantId">Only this tenant's keys, or <see langword="null"/> (the default) for every tenant's.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The keys.</returns>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? tenantId = null, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; revoking a revoked key keeps its first revocation time.</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="revokedAt">When it is revoked.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a key with that id exists; <see langword="false"/> otherwise.</returns>
    Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken = default);
}
