namespace LlmKit;

/// <summary>
/// A conversation checked for creation, with what every durable store writes for it apart from its cost (which each
/// store sums in its own representation: exact decimals, or integer units rounded per message).
/// </summary>
/// <param name="Conversation">The conversation as given.</param>
/// <param name="Tags">Its checked tags.</param>
/// <param name="Messages">Its messages with ids, times and JSON.</param>
/// <param name="CreatedAt">Creation time (now when not given).</param>
/// <param name="UpdatedAt">Last update time (the creation time when not given).</param>
/// <param name="Metadata">A copy of its metadata.</param>
/// <param name="Auxiliary">Its auxiliary-call totals.</param>
/// <param name="InputTokens">Input tokens of the messages plus the auxiliary calls.</param>
/// <param name="OutputTokens">Output tokens of the messages plus the auxiliary calls.</param>
/// <param name="Model">The last model a message names, else the conversation's.</param>
internal sealed record ConversationDraft(
    Conversation Conversation,
    List<string> Tags,
    List<PreparedMessage> Messages,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    Dictionary<string, string> Metadata,
    AuxiliaryTotals Auxiliary,
    long InputTokens,
    long OutputTokens,
    string? Model);
