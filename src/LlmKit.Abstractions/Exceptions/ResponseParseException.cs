namespace LlmKit;

/// <summary>
/// A response could not be parsed: the provider sent malformed JSON or an unexpected shape, or a
/// structured output did not match its schema.
/// </summary>
public class ResponseParseException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ResponseParseException()
        : base("A response could not be parsed. Check that the provider endpoint speaks the expected API, or relax the output schema.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ResponseParseException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, such as a <see cref="System.Text.Json.JsonException"/>.</param>
    public ResponseParseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the provider whose response failed to parse, or <see langword="null"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the type the response was parsed into (for structured output), or <see langword="null"/>.</summary>
    public Type? TargetType { get; init; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.InvalidResponse;
}
