namespace LlmKit;

/// <summary>
/// The per-request facts that LlmKit's pipeline stages need: who is calling (tenant, user, API key),
/// what for (conversation, template and version), how urgently and which budgets apply.
/// </summary>
/// <remarks>
/// <para>
/// The host attaches a context to a call through <see cref="Microsoft.Extensions.AI.ChatOptions"/>
/// (<see cref="LlmRequestContextChatOptionsExtensions.WithLlmContext"/>) or for a whole block of code
/// through an ambient scope (<see cref="BeginScope"/>). A context on the options wins over the ambient one.
/// </para>
/// <para>
/// Instances are immutable; derive a changed copy with a <c>with</c> expression.
/// </para>
/// </remarks>
public sealed record LlmRequestContext
{
    private static readonly AsyncLocal<LlmRequestContext?> AmbientContext = new();

    // Declared before Empty: static initialisers run in textual order, and Empty's Tags read this one.
    private static IReadOnlyDictionary<string, string> EmptyTags { get; } = new Dictionary<string, string>();

    /// <summary>Gets an empty context: no tenant, no user, normal priority.</summary>
    public static LlmRequestContext Empty { get; } = new();

    /// <summary>
    /// Gets the ambient context set by <see cref="BeginScope"/> on the current asynchronous flow,
    /// or <see langword="null"/> when none is set.
    /// </summary>
    public static LlmRequestContext? Current => AmbientContext.Value;

    /// <summary>
    /// Gets the caller's request id (for example its HTTP request id), recorded with every model round trip the call
    /// makes as <see cref="UsageRecord.CorrelationId"/>; <see langword="null"/> when the caller has none. Each round trip
    /// is recorded under its own id, so a tool loop's several round trips are all kept.
    /// </summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// Gets the id of the tool-loop (agent) run the call belongs to, recorded with every round trip as
    /// <see cref="UsageRecord.RunId"/>. The tool loop stage sets a new one for each run that has tools when the caller set
    /// none; <see langword="null"/> outside a run.
    /// </summary>
    public string? RunId { get; init; }

    /// <summary>Gets the tenant the call is made for; <see langword="null"/> when the app is single-tenant.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the end user the call is made for; <see langword="null"/> when unknown.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the id of the caller's API key (an id, never the secret); <see langword="null"/> when not applicable.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>Gets the conversation the call belongs to; <see langword="null"/> for a one-off call.</summary>
    public string? ConversationId { get; init; }

    /// <summary>Gets the id of the prompt template the request was rendered from; <see langword="null"/> when none.</summary>
    public string? TemplateId { get; init; }

    /// <summary>Gets the version of the prompt template; <see langword="null"/> when none.</summary>
    public int? TemplateVersion { get; init; }

    /// <summary>Gets the A/B experiment variant the template version was chosen by; <see langword="null"/> when none.</summary>
    public string? ExperimentVariant { get; init; }

    /// <summary>Gets the priority of the call. Defaults to <see cref="RequestPriority.Normal"/>.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    /// <summary>
    /// Gets extra budget scopes to charge besides those derived from tenant, user, API key, model and
    /// conversation (for example a project or cost centre). Defaults to empty.
    /// </summary>
    public IReadOnlyList<BudgetScope> BudgetScopes { get; init; } = [];

    /// <summary>Gets free-form tags recorded with usage and telemetry. Defaults to empty.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags;

    /// <summary>
    /// Gets how this request uses the response cache (bypass, refresh, no-store, maximum age, time to live, mode);
    /// <see langword="null"/> (the default) uses the app's and the model's settings.
    /// </summary>
    public ResponseCacheControl? Cache { get; init; }


    /// <summary>
    /// Makes <paramref name="context"/> the ambient context of the current asynchronous flow until the
    /// returned scope is disposed, when the previous ambient context is restored.
    /// </summary>
    /// <param name="context">The context to make ambient.</param>
    /// <returns>A scope to dispose when the block of code ends.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    public static IDisposable BeginScope(LlmRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var previous = AmbientContext.Value;
        AmbientContext.Value = context;
        return new Scope(previous);
    }

    private sealed class Scope(LlmRequestContext? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                AmbientContext.Value = previous;
            }
        }
    }
}
