namespace LlmKit;

/// <summary>How the response cache may be used for a call.</summary>
public enum ResponseCacheMode
{
    /// <summary>Read from and write to the cache as the app's policy says. The default.</summary>
    Default = 0,

    /// <summary>Neither read from nor write to the cache.</summary>
    Bypass,

    /// <summary>Do not read from the cache but write the fresh response to it.</summary>
    Refresh,

    /// <summary>Read from the cache but do not write the response to it.</summary>
    NoStore,
}
