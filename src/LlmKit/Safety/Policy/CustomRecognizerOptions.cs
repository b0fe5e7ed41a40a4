namespace LlmKit;

/// <summary>A pattern recognizer defined in configuration (<c>LlmKit:Safety:CustomRecognizers:{name}</c>). Recognizers with a validator are registered in code with <see cref="PatternRecognizer"/>.</summary>
public sealed class CustomRecognizerOptions
{
    /// <summary>Gets or sets the finding type, such as <c>EMPLOYEE_ID</c>. Required.</summary>
    public string? Type { get; set; }

    /// <summary>Gets or sets the regular expression. Required.</summary>
    public string? Pattern { get; set; }

    /// <summary>Gets or sets the score of a match without context. Defaults to 0.6.</summary>
    public double Score { get; set; } = 0.6;

    /// <summary>Gets or sets words that raise the score by 0.3 when they appear shortly before a match. Defaults to none.</summary>
    public List<string> ContextWords { get; set; } = [];
}
