namespace LlmKit;

/// <summary>A message ready to be written: id and time assigned, searchable text and row JSON computed.</summary>
internal sealed record PreparedMessage(
    string MessageId,
    string Role,
    DateTimeOffset CreatedAt,
    ConversationMessageStatus Status,
    string Text,
    string Json,
    long InputTokens,
    long OutputTokens,
    decimal? Cost,
    string? Model);
