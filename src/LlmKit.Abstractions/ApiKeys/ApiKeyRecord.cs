namespace LlmKit;

/// <summary>
/// What an <see cref="IApiKeyStore"/> keeps about one LlmKit API key: who it belongs to, what it may do, its limits,
/// and a salted hash of its secret. The key itself (<c>llmk_...</c>) is never stored; it is shown once when created.
/// </summary>
public sealed record ApiKeyRecord
{
    /// <summary>The key's id: 16 lowercase hexadecimal characters, also the part of the key after <c>llmk_</c>. Safe to log.</summary>
    public required string Id { get; init; }

    /// <summary>The tenant every call made with the key is charged to and isolated in.</summary>
    public required string TenantId { get; init; }

    /// <summary>The user the key acts for, or <see langword="null"/> (the default) when the key is the tenant's.</summary>
    public string? UserId { get; init; }

    /// <summary>A name for people, or <see langword="null"/> (the default).</summary>
    public string? Name { get; init; }

    /// <summary>The scopes the key holds (see <see cref="ApiKeyScopes"/>). Empty by default: the key may do nothing.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// The logical models (or aliases) the key may call, compared case-insensitively. Empty (the default) allows every
    /// configured model.
    /// </summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>When the key was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key stops working, or <see langword="null"/> (the default) for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the key was revoked, or <see langword="null"/> (the default) while it is not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The random salt hashed with the secret (16 bytes).</summary>
    public required ReadOnlyMemory<byte> Salt { get; init; }

    /// <summary>SHA-256 of the salt followed by the secret's UTF-8 bytes (32 bytes).</summary>
    public required ReadOnlyMemory<byte> SecretHash { get; init; }

    /// <summary>Requests per minute the key may make, or <see langword="null"/> (the default) for the host's default.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Tokens (input plus output) per minute the key may use, or <see langword="null"/> (the default) for the host's default.</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>The largest request body in bytes the key may send, or <see langword="null"/> (the default) for the host's default.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>The most messages one chat request may hold, or <see langword="null"/> (the default) for the host's default.</summary>
    public int? MaxMessages { get; init; }

    /// <summary>The highest <c>max_tokens</c> a request may ask for, or <see langword="null"/> (the default) for the host's default.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Whether the key holds <paramref name="scope"/> (or <see cref="ApiKeyScopes.Admin"/>).</summary>
    /// <param name="scope">The scope the endpoint needs.</param>
    /// <returns><see langword="true"/> when the key may use the endpoint.</returns>
    public bool HasScope(string scope)
        => Scopes.Contains(scope, StringComparer.Ordinal) || Scopes.Contains(ApiKeyScopes.Admin, StringComparer.Ordinal);

    /// <summary>Whether the key may call <paramref name="model"/>: the allow-list is empty or names it (case-insensitively).</summary>
    /// <param name="model">The logical model or alias asked for.</param>
    /// <returns><see langword="true"/> when the key may call the model.</returns>
    public bool AllowsModel(string model)
        => AllowedModels.Count == 0 || AllowedModels.Contains(model, StringComparer.OrdinalIgnoreCase);

    /// <summary>Describes the key by id, tenant and scopes; never the salt or hash.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"ApiKeyRecord {{ Id = {Id}, TenantId = {TenantId}, Scopes = [{string.Join(",", Scopes)}] }}";
}
