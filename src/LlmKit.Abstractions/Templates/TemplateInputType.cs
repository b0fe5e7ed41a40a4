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

    /// <summary>
    /// A conversation (Prompty's <c>kind: thread</c>): a list of <c>ChatMessage</c> inserted as messages where the template
    /// writes the input alone on its line (<c>{{history}}</c>), each keeping its own role.
    /// </summary>
    Thread,

    /// <summary>
    /// An image (Prompty's <c>kind: image</c>): a <c>DataContent</c>, <c>UriContent</c>, <c>Uri</c>, or a string holding an
    /// http(s) URL or a <c>data:</c> URI, added as an image content part of the message at the place the template writes it.
    /// </summary>
    Image,
}
