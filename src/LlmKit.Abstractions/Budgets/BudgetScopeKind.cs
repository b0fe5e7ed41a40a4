namespace LlmKit;

/// <summary>What a budget or usage total is counted over.</summary>
public enum BudgetScopeKind
{
    /// <summary>Everything the app spends.</summary>
    Global = 0,

    /// <summary>One tenant.</summary>
    Tenant,

    /// <summary>One end user.</summary>
    User,

    /// <summary>One API key of the app's own callers (by key id).</summary>
    ApiKey,

    /// <summary>One logical model or model id.</summary>
    Model,

    /// <summary>One conversation.</summary>
    Conversation,

    /// <summary>A host-defined scope such as a project or cost centre.</summary>
    Custom,
}
