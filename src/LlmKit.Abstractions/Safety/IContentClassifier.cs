namespace LlmKit;

/// <summary>
/// A model-based classifier of text, such as a moderation endpoint or a prompt-injection model.
/// Pluggable next to the built-in recognizers.
/// </summary>
public interface IContentClassifier
{
    /// <summary>Gets the classifier's name, recorded on its findings.</summary>
    string Name { get; }

    /// <summary>Classifies a text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="direction">Whether the text goes to the model or comes from it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Findings with scores, spanning the whole text when the classifier gives no spans.</returns>
    Task<IReadOnlyList<SafetyFinding>> ClassifyAsync(string text, GuardDirection direction, CancellationToken cancellationToken = default);
}
