namespace LlmKit;

/// <summary>
/// The record of one guard decision. Carries hashes of what was found, never the text itself.
/// </summary>
public sealed record GuardAuditEvent
{
    /// <summary>Gets when the decision was made.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the request id.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the tenant.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets which way the text travelled.</summary>
    public GuardDirection Direction { get; init; }

    /// <summary>Gets the action taken for the call as a whole (the strictest of the findings').</summary>
    public GuardAction Action { get; init; }

    /// <summary>Gets the finding type.</summary>
    public required string FindingType { get; init; }

    /// <summary>Gets the recognizer.</summary>
    public required string Recognizer { get; init; }

    /// <summary>Gets the score.</summary>
    public double Score { get; init; }

    /// <summary>Gets a salted SHA-256 hash (hex) of the found text, so repeated values can be correlated without storing them.</summary>
    public required string ValueHash { get; init; }
}
