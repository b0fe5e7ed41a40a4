namespace LlmKit;

/// <summary>A tenant's own guard policies. Its rules replace the app's rules of the same finding type; its limits and defaults, when set, replace the app's.</summary>
public sealed class TenantSafetyOptions
{
    /// <summary>Gets or sets the tenant's input policy. Defaults to <see langword="null"/>: the app's.</summary>
    public GuardPolicyOptions? Input { get; set; }

    /// <summary>Gets or sets the tenant's output policy. Defaults to <see langword="null"/>: the app's.</summary>
    public GuardPolicyOptions? Output { get; set; }
}
