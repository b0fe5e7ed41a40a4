namespace LlmKit;

/// <summary>How strongly a persona shows a trait.</summary>
public enum PersonaTraitLevel
{
    /// <summary>Little of the trait.</summary>
    Low = 0,

    /// <summary>A balanced amount. The default.</summary>
    Medium = 1,

    /// <summary>Much of the trait.</summary>
    High = 2,
}
