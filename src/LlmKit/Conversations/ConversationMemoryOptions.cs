namespace LlmKit;

/// <summary>Conversation memory: extracted key facts and keyword recall of left-out messages. Off by default.</summary>
public sealed class ConversationMemoryOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether, after each turn, a model extracts key facts (as a JSON list) that are
    /// kept in the conversation's metadata (<see cref="ConversationMetadataKeys.Facts"/>) and given to later turns as a
    /// system note. Defaults to <see langword="false"/>.
    /// </summary>
    public bool ExtractFacts { get; set; }

    /// <summary>
    /// Gets or sets the model that extracts facts, or <see langword="null"/> to use
    /// <see cref="ConversationOptions.SummarizerModel"/>, else the conversation's model.
    /// </summary>
    public string? ExtractionModel { get; set; }

    /// <summary>Gets or sets the most facts kept per conversation (the newest win). Defaults to 20.</summary>
    public int MaxFacts { get; set; } = 20;

    /// <summary>
    /// Gets or sets how many left-out messages (dropped or summarised) that share keywords with the new user message
    /// are recalled into the prompt, within the token budget. Defaults to 0 (recall off).
    /// </summary>
    public int RecallMessages { get; set; }
}
