namespace LlmKit;

/// <summary>Which requests the response cache answers and stores.</summary>
public enum ResponseCacheMode
{
    /// <summary>No request is cached.</summary>
    Off = 0,

    /// <summary>Every cacheable request is cached, whatever its sampling settings.</summary>
    All,

    /// <summary>Only deterministic requests are cached: those with a temperature of 0 or a seed.</summary>
    DeterministicOnly,
}
