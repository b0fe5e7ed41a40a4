namespace LlmKit;

/// <summary>
/// A JSON Schema for structured output cannot be used: the type has no schema (an open generic, an interface, a cycle too
/// deep), the schema is not valid JSON Schema (the errors carry their location), or a provider's strict mode cannot
/// express it. Thrown before any call is made; the message says what to change.
/// </summary>
public class StructuredOutputSchemaException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public StructuredOutputSchemaException()
        : this("The JSON Schema for structured output cannot be used.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public StructuredOutputSchemaException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public StructuredOutputSchemaException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Initializes a new instance listing where the schema is wrong.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="errors">Each problem with its location in the schema (a JSON path).</param>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is <see langword="null"/>.</exception>
    public StructuredOutputSchemaException(string message, IReadOnlyList<StructuredOutputError> errors)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Errors = errors;
    }

    /// <summary>Gets each problem with its location in the schema. Empty when the message says it all.</summary>
    public IReadOnlyList<StructuredOutputError> Errors { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;
}
