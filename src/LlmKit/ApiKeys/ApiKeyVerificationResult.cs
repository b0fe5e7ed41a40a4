namespace LlmKit;

/// <summary>The outcome of checking a presented API key.</summary>
/// <param name="Status">Whether the key may be used, and if not, why.</param>
/// <param name="Key">The stored key when its secret matched (also for expired and revoked keys); otherwise <see langword="null"/>.</param>
public sealed record ApiKeyVerificationResult(ApiKeyVerificationStatus Status, ApiKeyRecord? Key);
