namespace LlmKit;

/// <summary>
/// LlmKit's settings, bound from the <c>LlmKit</c> configuration section and validated at start-up.
/// </summary>
public sealed class LlmKitOptions
{
    /// <summary>The configuration section LlmKit binds: <c>LlmKit</c>.</summary>
    public const string SectionName = "LlmKit";

    /// <summary>
    /// Gets or sets the logical model or model id used when a call names none, or <see langword="null"/>
    /// to require every call to name one (in <c>ChatOptions.ModelId</c>) or to use a keyed client.
    /// </summary>
    public string? DefaultModel { get; set; }

    /// <summary>
    /// Gets or sets the provider connection that serves model ids which are not logical models, or
    /// <see langword="null"/> to use the only connection when exactly one is registered.
    /// </summary>
    public string? DefaultProvider { get; set; }

    /// <summary>Gets or sets the provider connections by name. Defaults to none.</summary>
    public Dictionary<string, ProviderConnectionSettings> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the logical models (aliases such as <c>fast</c> or <c>smart</c>) by name. Defaults to none.</summary>
    public Dictionary<string, LogicalModelOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets models added to or overriding the shipped catalog, by model id. Defaults to none.</summary>
    public Dictionary<string, ModelCatalogEntryOptions> Catalog { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the model catalog's settings (section <c>LlmKit:ModelCatalog</c>), such as a price file imported at start-up. Defaults to <see cref="ModelCatalogOptions"/>'s defaults.</summary>
    public ModelCatalogOptions ModelCatalog { get; set; } = new();

    /// <summary>Gets or sets the telemetry settings.</summary>
    public LlmKitTelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Gets or sets the resilience settings of deployments that set none of their own. Defaults to <see cref="DeploymentResilienceOptions"/>'s defaults.</summary>
    public DeploymentResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// Gets or sets resilience settings per provider connection (<c>LlmKit:ConnectionResilience:{connection}</c>), for the
    /// deployments on that connection that set none of their own: a deployment's <see cref="DeploymentOptions.Resilience"/>
    /// wins, then its connection's entry here, then <see cref="Resilience"/>. Defaults to none.
    /// </summary>
    public Dictionary<string, DeploymentResilienceOptions> ConnectionResilience { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the resilience settings of a deployment: its own, else its connection's, else the global ones.</summary>
    /// <param name="deployment">The deployment's own settings, or <see langword="null"/>.</param>
    /// <param name="connection">The deployment's provider connection.</param>
    /// <returns>The settings that apply.</returns>
    internal DeploymentResilienceOptions ResilienceFor(DeploymentResilienceOptions? deployment, string connection)
        => deployment ?? (ConnectionResilience.TryGetValue(connection, out var own) ? own : Resilience);

    /// <summary>Gets or sets the cooldown settings of deployments that set none of their own. Defaults to <see cref="DeploymentCooldownOptions"/>'s defaults.</summary>
    public DeploymentCooldownOptions Cooldown { get; set; } = new();

    /// <summary>Gets or sets the budgets by id (<c>LlmKit:Budgets:{id}</c>). Defaults to none: without budgets the pipeline has no budget stage.</summary>
    public Dictionary<string, BudgetOptions> Budgets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how the budget stage estimates calls.</summary>
    public BudgetAdmissionOptions BudgetAdmission { get; set; } = new();

    /// <summary>Gets or sets the safety guards' settings (<c>LlmKit:Safety</c>). Defaults to no policy: the guard stages pass calls through.</summary>
    public SafetyOptions Safety { get; set; } = new();

    /// <summary>
    /// Gets or sets a value indicating whether the router sets the <see cref="ModelRoute"/> of every call (the deployment that
    /// served it) on the response, and on the first update of a stream, under <see cref="LlmKitResponseProperties.Route"/>,
    /// even when no stage of the pipeline reads it. Defaults to <see langword="false"/>: the route is set whenever the
    /// pipeline has a telemetry, budget or metering stage, which read it (the default pipeline has them), and left out of a
    /// pipeline without them, where it would cost a properties dictionary (240 bytes) on every response that has none.
    /// Set it to <see langword="true"/> when the app reads the route from such a pipeline.
    /// </summary>
    public bool AnnotateRoutes { get; set; }

    /// <summary>Gets or sets the response cache's settings (section <c>LlmKit:ResponseCache</c>). Defaults to the cache off.</summary>
    public ResponseCacheOptions ResponseCache { get; set; } = new();

    /// <summary>Gets or sets how the tool loop runs the tools the model calls (section <c>LlmKit:ToolLoop</c>). Defaults to <see cref="ToolLoopOptions"/>'s defaults.</summary>
    public ToolLoopOptions ToolLoop { get; set; } = new();

    /// <summary>Gets or sets the conversation service's settings (section <c>LlmKit:Conversations</c>). Defaults to <see cref="ConversationOptions"/>'s defaults.</summary>
    public ConversationOptions Conversations { get; set; } = new();

    /// <summary>Gets the problems found while code registrations were merged with configuration, reported by the start-up validation.</summary>
    internal List<(string Key, string Message)> CodeConfigurationConflicts { get; } = [];

    /// <summary>Gets the logical models defined in code with <c>kit.AddModel()</c>.</summary>
    internal HashSet<string> CodeModels { get; } = new(StringComparer.OrdinalIgnoreCase);
}
