namespace LlmKit;

/// <summary>The outcome of checking a presented API key (<see cref="ApiKeyIssuer.VerifyAsync"/>).</summary>
public enum ApiKeyVerificationStatus
{
    /// <summary>The key is known, its secret matches, and it is neither expired nor revoked.</summary>
    Valid = 0,

    /// <summary>The text is not an LlmKit key (<c>llmk_</c>, 16 hex characters, <c>_</c>, the secret).</summary>
    Malformed,

    /// <summary>No key has that id, or the secret does not match (the two are not told apart to callers).</summary>
    Unknown,

    /// <summary>The key's expiry time has passed.</summary>
    Expired,

    /// <summary>The key was revoked.</summary>
    Revoked,
}
