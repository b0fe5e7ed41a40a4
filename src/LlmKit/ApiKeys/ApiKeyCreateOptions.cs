namespace LlmKit;

/// <summary>What a new API key is bound to and allowed, for <see cref="ApiKeyIssuer.CreateAsync"/>.</summary>
public sealed class ApiKeyCreateOptions
{
    /// <summary>The tenant the key belongs to. Required.</summary>
    public required string TenantId { get; init; }

    /// <summary>The user the key acts for, or <see langword="null"/> (the default).</summary>
    public string? UserId { get; init; }

    /// <summary>A name for people, or <see langword="null"/> (the default).</summary>
    public string? Name { get; init; }

    /// <summary>The scopes (see <see cref="ApiKeyScopes"/>); at least one is required.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>The logical models the key may call; empty (the default) for all.</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>How long the key lives, or <see langword="null"/> (the default) for ever.</summary>
    public TimeSpan? ExpiresAfter { get; init; }

    /// <summary>See <see cref="ApiKeyRecord.RequestsPerMinute"/>; <see langword="null"/> by default.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>See <see cref="ApiKeyRecord.TokensPerMinute"/>; <see langword="null"/> by default.</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>See <see cref="ApiKeyRecord.MaxRequestBodyBytes"/>; <see langword="null"/> by default.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>See <see cref="ApiKeyRecord.MaxMessages"/>; <see langword="null"/> by default.</summary>
    public int? MaxMessages { get; init; }

    /// <summary>See <see cref="ApiKeyRecord.MaxOutputTokens"/>; <see langword="null"/> by default.</summary>
    public int? MaxOutputTokens { get; init; }
}
