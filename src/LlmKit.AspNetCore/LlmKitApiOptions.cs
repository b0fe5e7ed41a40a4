using System.Security.Claims;

namespace LlmKit;

/// <summary>
/// Settings of LlmKit's REST endpoints (<c>MapLlmKitOpenAI</c>): who may call them, how callers authenticated by the
/// host map to tenants, users and scopes, and the default per-caller limits (an API key's own limits win).
/// </summary>
public sealed class LlmKitApiOptions
{
    /// <summary>The configuration section these options bind from: <c>LlmKit:Api</c>.</summary>
    public const string SectionName = "LlmKit:Api";

    /// <summary>
    /// Whether a request with no credentials is served, as tenant <see cref="AnonymousTenantId"/> with
    /// <see cref="HostUserScopes"/>. <see langword="false"/> by default: nothing is reachable anonymously.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>The tenant anonymous requests are charged to; <c>anonymous</c> by default.</summary>
    public string AnonymousTenantId { get; set; } = "anonymous";

    /// <summary>
    /// The claim holding the tenant of a caller the host authenticated itself (JWT bearer, cookies); <c>llmkit_tenant</c>
    /// by default. A host-authenticated caller without it is refused with 403.
    /// </summary>
    public string TenantClaimType { get; set; } = "llmkit_tenant";

    /// <summary>
    /// The claims holding the user id of a host-authenticated caller, the first present wins; <c>sub</c> and
    /// <see cref="ClaimTypes.NameIdentifier"/> by default.
    /// </summary>
    public IList<string> UserClaimTypes { get; } = ["sub", ClaimTypes.NameIdentifier];

    /// <summary>
    /// The claim holding a host-authenticated caller's scopes, space-separated as in OAuth (several claims are merged);
    /// <c>scope</c> by default. When the caller has none, <see cref="HostUserScopes"/> apply.
    /// </summary>
    public string ScopeClaimType { get; set; } = "scope";

    /// <summary>
    /// The claim holding the logical models a host-authenticated caller may use (several claims, or one comma-separated);
    /// <c>llmkit_models</c> by default. None: every model.
    /// </summary>
    public string ModelsClaimType { get; set; } = "llmkit_models";

    /// <summary>The scopes of a host-authenticated or anonymous caller without scope claims; <c>chat</c> and <c>embeddings</c> by default.</summary>
    public IList<string> HostUserScopes { get; } = [ApiKeyScopes.Chat, ApiKeyScopes.Embeddings];

    /// <summary>The largest request body in bytes; 4 MiB (4,194,304) by default. Larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most messages one chat request may hold; 1,000 by default. More get 422.</summary>
    public int MaxMessages { get; set; } = 1000;

    /// <summary>The highest <c>max_tokens</c> a request may ask for, or <see langword="null"/> (the default) for no cap. Above it: 422.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Requests per minute per caller (per API key), or <see langword="null"/> (the default) for no limit. Over it: 429 with <c>Retry-After</c>.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Tokens (input plus output) per minute per caller, or <see langword="null"/> (the default) for no limit. Over it: 429 with <c>Retry-After</c>.</summary>
    public int? TokensPerMinute { get; set; }
}
