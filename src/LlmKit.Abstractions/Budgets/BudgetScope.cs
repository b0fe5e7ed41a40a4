namespace LlmKit;

/// <summary>
/// A scope that budgets and usage totals are counted over, such as tenant <c>acme</c> or the whole app.
/// </summary>
/// <param name="Kind">What is counted over.</param>
/// <param name="Value">The tenant, user, key, model, conversation or custom id; empty for <see cref="BudgetScopeKind.Global"/>.</param>
public readonly record struct BudgetScope(BudgetScopeKind Kind, string Value)
{
    /// <summary>Gets the scope of everything the app spends.</summary>
    public static BudgetScope Global { get; } = new(BudgetScopeKind.Global, string.Empty);

    /// <summary>Returns the scope of one tenant.</summary>
    /// <param name="tenantId">The tenant id.</param>
    /// <returns>The scope.</returns>
    public static BudgetScope Tenant(string tenantId) => new(BudgetScopeKind.Tenant, tenantId);

    /// <summary>Returns the scope of one end user.</summary>
    /// <param name="userId">The user id.</param>
    /// <returns>The scope.</returns>
    public static BudgetScope User(string userId) => new(BudgetScopeKind.User, userId);

    /// <summary>Returns the scope of one API key id.</summary>
    /// <param name="apiKeyId">The key id (never the secret).</param>
    /// <returns>The scope.</returns>
    public static BudgetScope ApiKey(string apiKeyId) => new(BudgetScopeKind.ApiKey, apiKeyId);

    /// <summary>Returns the scope of one logical model or model id.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The scope.</returns>
    public static BudgetScope Model(string model) => new(BudgetScopeKind.Model, model);

    /// <summary>Returns the scope of one conversation.</summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <returns>The scope.</returns>
    public static BudgetScope Conversation(string conversationId) => new(BudgetScopeKind.Conversation, conversationId);

    /// <summary>Returns a host-defined scope such as a project or cost centre (charged when a call's <see cref="LlmRequestContext.BudgetScopes"/> names it).</summary>
    /// <param name="value">The scope's id, for example <c>project:apollo</c>.</param>
    /// <returns>The scope.</returns>
    public static BudgetScope Custom(string value) => new(BudgetScopeKind.Custom, value);

    /// <summary>Returns as <c>global</c> or <c>tenant 'acme'</c>.</summary>
    /// <returns>The readable scope.</returns>
    public override string ToString()
        => Kind == BudgetScopeKind.Global ? "global" : $"{Kind.ToString().ToLowerInvariant()} '{Value}'";
}
