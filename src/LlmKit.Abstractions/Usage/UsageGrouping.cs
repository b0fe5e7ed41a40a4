namespace LlmKit;

/// <summary>What usage is grouped by in top-N queries.</summary>
public enum UsageGrouping
{
    /// <summary>By tenant.</summary>
    Tenant = 0,

    /// <summary>By end user.</summary>
    User,

    /// <summary>By API key id.</summary>
    ApiKey,

    /// <summary>By logical model.</summary>
    Model,

    /// <summary>By deployment.</summary>
    Deployment,

    /// <summary>By conversation.</summary>
    Conversation,

    /// <summary>By template id.</summary>
    Template,
}
