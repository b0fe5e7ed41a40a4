namespace LlmKit;

/// <summary>
/// A structured answer could not be read or did not match its JSON Schema, after every repair round: carries every error
/// (JSON path and message), the raw text of the last answer and the number of repair rounds taken.
/// </summary>
public class StructuredOutputException : ResponseParseException
{
    /// <summary>Initializes a new instance with a default message and no errors.</summary>
    public StructuredOutputException()
        : this("The structured answer did not match its schema.", [], string.Empty, 0)
    {
    }

    /// <summary>Initializes a new instance with the given message and no errors.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public StructuredOutputException(string message)
        : this(message, [], string.Empty, 0)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause, and no errors.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public StructuredOutputException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = [];
        RawText = string.Empty;
    }

    /// <summary>Initializes a new instance listing the errors of the last answer.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="errors">Every error of the last answer, in order.</param>
    /// <param name="rawText">The text of the last answer as the model sent it.</param>
    /// <param name="repairRounds">The repair rounds taken (0 when repair was off).</param>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> or <paramref name="rawText"/> is <see langword="null"/>.</exception>
    public StructuredOutputException(string message, IReadOnlyList<StructuredOutputError> errors, string rawText, int repairRounds)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(rawText);
        Errors = errors;
        RawText = rawText;
        RepairRounds = repairRounds;
    }

    /// <summary>Gets every error of the last answer (JSON path, message and, for unreadable text, the position). Empty when none were given.</summary>
    public IReadOnlyList<StructuredOutputError> Errors { get; }

    /// <summary>Gets the raw text of the last answer. Empty when none was given.</summary>
    public string RawText { get; }

    /// <summary>Gets the number of repair rounds taken before giving up. Defaults to 0.</summary>
    public int RepairRounds { get; }
}
