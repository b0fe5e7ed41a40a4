namespace LlmKit;

/// <summary>Which way the guarded text travels.</summary>
public enum GuardDirection
{
    /// <summary>From the caller to the model.</summary>
    Input = 0,

    /// <summary>From the model to the caller.</summary>
    Output,
}
