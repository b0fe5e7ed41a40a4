namespace LlmKit;

/// <summary>
/// One reason a structured answer (or a JSON Schema) was not accepted: where (a JSON path such as <c>$.items[2].price</c>,
/// and for text that could not be read, the character position in the text) and what was wrong.
/// </summary>
/// <param name="Path">The JSON path of the value the error is about; <c>$</c> for the whole value or for text that could not be read.</param>
/// <param name="Message">What was wrong, such as <c>Value should be at least 1</c>.</param>
public sealed record StructuredOutputError(string Path, string Message)
{
    /// <summary>Gets the zero-based character offset in the text where reading stopped, or <see langword="null"/> for a schema error.</summary>
    public int? Position { get; init; }

    /// <summary>Gets the one-based line of <see cref="Position"/>, or <see langword="null"/>.</summary>
    public int? Line { get; init; }

    /// <summary>Gets the one-based column of <see cref="Position"/>, or <see langword="null"/>.</summary>
    public int? Column { get; init; }

    /// <summary>Returns the error as <c>path: message</c>, with the line and column when known.</summary>
    /// <returns>The error on one line.</returns>
    public override string ToString() => Line is { } line
        ? $"{Path}: {Message} (line {line}, column {Column}, position {Position})"
        : $"{Path}: {Message}";
}
