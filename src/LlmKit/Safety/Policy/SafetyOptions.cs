namespace LlmKit;

/// <summary>
/// The safety guards' settings, bound from <c>LlmKit:Safety</c> and validated at start-up. With no rules, limits
/// or word lists configured the guard stages pass calls through untouched.
/// </summary>
public sealed class SafetyOptions
{
    /// <summary>Gets or sets the app's policy for text going to the model. Defaults to allowing everything.</summary>
    public GuardPolicyOptions Input { get; set; } = new();

    /// <summary>Gets or sets the app's policy for text coming from the model. Defaults to allowing everything.</summary>
    public GuardPolicyOptions Output { get; set; } = new();

    /// <summary>Gets or sets per-tenant policies, by tenant id (<see cref="LlmRequestContext.TenantId"/>); a tenant's rules replace the app's rules of the same type. Defaults to none.</summary>
    public Dictionary<string, TenantSafetyOptions> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets moderation word lists by category; the category (upper case) is the finding type. Defaults to none.</summary>
    public Dictionary<string, List<string>> WordLists { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets pattern recognizers defined in configuration, by name. Defaults to none.</summary>
    public Dictionary<string, CustomRecognizerOptions> CustomRecognizers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets the Base64 key (at least 16 bytes) for the HMAC-SHA256 value hashes in audit events, so the same
    /// value hashes alike across restarts and machines. Defaults to <see langword="null"/>: a random key per process.
    /// </summary>
    public string? AuditHashKey { get; set; }

    /// <summary>
    /// Gets or sets the app's phone regions (ISO 3166-1 alpha-2 codes such as <c>GB</c> or <c>DE</c>): their numbers
    /// score 0.1 higher and their national formats are tried first. Numbers of every region are found either way.
    /// Defaults to none.
    /// </summary>
    public List<string> PhoneRegions { get; set; } = [];

    /// <summary>
    /// Gets or sets what is added to the score of prompt-injection signals found in untrusted content (tool results
    /// and messages marked with <see cref="UntrustedContent.Mark"/>). Defaults to 0.1.
    /// </summary>
    public double UntrustedContentBoost { get; set; } = 0.1;
}
