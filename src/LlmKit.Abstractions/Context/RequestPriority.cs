namespace LlmKit;

/// <summary>How urgently a call should be served; routing and rate limiting may use it.</summary>
public enum RequestPriority
{
    /// <summary>Background work that can wait or be shed first.</summary>
    Low = 0,

    /// <summary>The default.</summary>
    Normal = 1,

    /// <summary>Interactive or critical work that should be served first.</summary>
    High = 2,
}
