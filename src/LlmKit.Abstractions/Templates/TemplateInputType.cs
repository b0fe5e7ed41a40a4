namespace LlmKit;

/// <summary>The type of a template input; the names are JSON Schema's type names.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members mirror JSON Schema type names.")]
public enum TemplateInputType
{
    /// <summary>Text. The default.</summary>
    String = 0,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A number.</summary>
    Number,

    /// <summary>True or false.</summary>
    Boolean,

    /// <summary>A list of values.</summary>
    Array,

    /// <summary>An object with named fields.</summary>
    Object,
}
