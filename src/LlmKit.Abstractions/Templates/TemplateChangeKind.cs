namespace LlmKit;

/// <summary>How a part of a template changed between two versions.</summary>
public enum TemplateChangeKind
{
    /// <summary>The part exists only in the newer version.</summary>
    Added = 0,

    /// <summary>The part exists only in the older version.</summary>
    Removed,

    /// <summary>The part exists in both versions with different values.</summary>
    Modified,
}
