namespace LlmKit;

/// <summary>
/// A prompt template or template file cannot be parsed: bad YAML or JSON, an unknown field value, a role
/// section missing, or a malformed <c>{{tag}}</c>. Carries where the problem is. LlmKit never falls back to
/// treating an unparseable template as one user message.
/// </summary>
public class TemplateParseException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public TemplateParseException()
        : base("A prompt template could not be parsed. Fix the template at the reported position.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public TemplateParseException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, such as a YAML or JSON reader error.</param>
    public TemplateParseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a problem at a position in a source.</summary>
    /// <param name="source">The file path or a description of the template (<c>template 'summarize' v3, message 2</c>).</param>
    /// <param name="line">The 1-based line, or 0 when unknown.</param>
    /// <param name="column">The 1-based column, or 0 when unknown.</param>
    /// <param name="problem">What is wrong and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public TemplateParseException(string source, int line, int column, string problem, Exception? innerException = null)
        : base(Format(source, line, column, problem), innerException)
    {
        SourceName = source;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>Gets the file path or a description of the template, or <see langword="null"/>.</summary>
    public string? SourceName { get; }

    /// <summary>Gets the 1-based line of the problem, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column of the problem, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>Gets the problem without its position, or <see langword="null"/>.</summary>
    public string? Problem { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;

    private static string Format(string source, int line, int column, string problem)
        => line > 0 ? $"{source}({line},{column}): {problem}" : $"{source}: {problem}";
}
