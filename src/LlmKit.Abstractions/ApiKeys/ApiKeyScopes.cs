namespace LlmKit;

/// <summary>
/// The scopes an LlmKit API key (or a caller authenticated by the host) can hold. A scope grants one group of REST
/// endpoints; <see cref="Admin"/> grants them all.
/// </summary>
public static class ApiKeyScopes
{
    /// <summary><c>chat</c>: <c>POST /v1/chat/completions</c> and <c>GET /v1/models</c>.</summary>
    public const string Chat = "chat";

    /// <summary><c>embeddings</c>: <c>POST /v1/embeddings</c> and <c>GET /v1/models</c>.</summary>
    public const string Embeddings = "embeddings";

    /// <summary><c>conversations</c>: LlmKit's conversation endpoints.</summary>
    public const string Conversations = "conversations";

    /// <summary><c>templates</c>: LlmKit's template endpoints.</summary>
    public const string Templates = "templates";

    /// <summary><c>usage:read</c>: usage, cost and budget reports.</summary>
    public const string UsageRead = "usage:read";

    /// <summary><c>admin</c>: every endpoint, including key and model administration.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope LlmKit knows, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [Chat, Embeddings, Conversations, Templates, UsageRead, Admin];

    /// <summary>Whether <paramref name="scope"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="scope">The scope to check.</param>
    /// <returns><see langword="true"/> when LlmKit knows the scope.</returns>
    public static bool IsKnown(string? scope) => scope is not null && All.Contains(scope, StringComparer.Ordinal);
}
