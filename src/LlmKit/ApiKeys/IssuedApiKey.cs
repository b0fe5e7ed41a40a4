namespace LlmKit;

/// <summary>A key just created: the secret key to hand to its owner (shown only here) and what the store keeps.</summary>
/// <param name="Key">The key, <c>llmk_{id}_{secret}</c>. Show it once; it cannot be recovered.</param>
/// <param name="Record">What the store keeps (the salted hash, never the key).</param>
public sealed record IssuedApiKey(string Key, ApiKeyRecord Record)
{
    /// <summary>Describes the key by id only; the secret key is left out.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"IssuedApiKey {{ Id = {Record.Id} }}";
}
