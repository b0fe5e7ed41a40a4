namespace LlmKit;

/// <summary>
/// Settings of the health checks that <c>AddLlmKitChecks()</c> registers, one per provider connection, named
/// <c>llmkit:{connection}</c>.
/// </summary>
public sealed class LlmKitHealthCheckOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether each check also makes a tiny real call to its connection (one output token
    /// to the connection's first configured deployment model). The call goes straight to the connection, not through
    /// routing, budgets or the usage ledger, and the provider bills it. Defaults to <see langword="false"/>.
    /// </summary>
    public bool LiveProbe { get; set; }

    /// <summary>Gets or sets how long a live probe may take before the connection counts as unhealthy. Defaults to 10 seconds; must be positive.</summary>
    public TimeSpan LiveProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how long a live probe's outcome is reused before the next probe, so that frequent polling does not
    /// turn into frequent billed calls. Defaults to 1 minute; <see cref="TimeSpan.Zero"/> probes on every check.
    /// </summary>
    public TimeSpan LiveProbeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets the maximum output tokens of a live probe. Defaults to 1; raise it for models that refuse so small a
    /// limit (some reasoning models).
    /// </summary>
    public int LiveProbeMaxOutputTokens { get; set; } = 1;

    /// <summary>Gets the tags of every registered check, for filtering in health endpoints. Defaults to <c>llmkit</c>.</summary>
    public IList<string> Tags { get; } = ["llmkit"];
}
