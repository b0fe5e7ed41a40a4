namespace LlmKit.AspNetCore.OpenAI;

/// <summary>Who is calling: tenant, user, key id, scopes, models and limits, from an API key or the host's authentication.</summary>
internal sealed class OpenAICaller
{
    public required string TenantId { get; init; }

    public string? UserId { get; init; }

    public string? ApiKeyId { get; init; }

    /// <summary>The limiter partition: the key id, or the tenant and user.</summary>
    public required string Partition { get; init; }

    public required IReadOnlyCollection<string> Scopes { get; init; }

    public IReadOnlyCollection<string> AllowedModels { get; init; } = [];

    public long MaxRequestBodyBytes { get; init; }

    public int MaxMessages { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    public bool HasScope(string scope) => Scopes.Contains(scope) || Scopes.Contains(ApiKeyScopes.Admin);

    public bool AllowsModel(string model) => AllowedModels.Count == 0 || AllowedModels.Contains(model, StringComparer.OrdinalIgnoreCase);
}
