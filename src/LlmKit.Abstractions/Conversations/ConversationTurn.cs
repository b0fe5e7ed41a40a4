using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>One persisted turn of a conversation, as returned by <see cref="IConversationService.SendAsync"/>.</summary>
public sealed record ConversationTurn
{
    /// <summary>Gets the conversation id.</summary>
    public required string ConversationId { get; init; }

    /// <summary>Gets the conversation's version after the turn was stored.</summary>
    public long Version { get; init; }

    /// <summary>Gets the stored user message.</summary>
    public required ConversationMessage UserMessage { get; init; }

    /// <summary>Gets the stored assistant (and tool) messages of the answer; the last carries the usage and cost.</summary>
    public required IReadOnlyList<ConversationMessage> ResponseMessages { get; init; }

    /// <summary>Gets the response the pipeline returned.</summary>
    public required ChatResponse Response { get; init; }

    /// <summary>Gets the prompt tokens sent, as counted before the call (messages, instructions and tools).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Gets the prompt budget: the context window less the reserved output tokens.</summary>
    public int PromptBudget { get; init; }

    /// <summary>Gets a value indicating whether <see cref="PromptTokens"/> is the provider's exact count rather than an estimate.</summary>
    public bool TokenCountIsExact { get; init; }

    /// <summary>Gets the number of stored messages left out of the prompt to fit the window (summarised ones included).</summary>
    public int OmittedMessages { get; init; }

    /// <summary>Gets the number of left-out messages recalled into the prompt by keyword.</summary>
    public int RecalledMessages { get; init; }

    /// <summary>Gets a value indicating whether older messages were summarised (again) during this turn.</summary>
    public bool Summarized { get; init; }

    /// <summary>
    /// Gets a value indicating whether key facts were extracted from this turn and stored
    /// (<c>Conversations:Memory:ExtractFacts</c>); <see langword="false"/> (the default) when extraction is off,
    /// failed, its reply could not be read, or was skipped because the caller cancelled after the turn was stored.
    /// </summary>
    public bool FactsExtracted { get; init; }
}
