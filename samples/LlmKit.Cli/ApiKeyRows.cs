namespace LlmKit.Cli;

/// <summary>What <c>keys create --json</c> prints: the key appears only here.</summary>
internal sealed record ApiKeyCreatedResult(string Id, string Key, string Tenant, string? User, IReadOnlyList<string> Scopes, DateTimeOffset? Expires);

/// <summary>One row of <c>keys list --json</c>: never the key, never its hash.</summary>
internal sealed record ApiKeyRow(string Id, string Tenant, string? User, IReadOnlyList<string> Scopes, IReadOnlyList<string> Models, DateTimeOffset Created, DateTimeOffset? Expires, DateTimeOffset? Revoked)
{
    public static ApiKeyRow From(ApiKeyRecord k) => new(k.Id, k.TenantId, k.UserId, k.Scopes, k.AllowedModels, k.CreatedAt, k.ExpiresAt, k.RevokedAt);
}
