using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Per-turn options of <see cref="IConversationService"/>.</summary>
public sealed record ConversationSendOptions
{
    /// <summary>
    /// Gets the chat options of the call (model, temperature, tools, maximum output), or <see langword="null"/>
    /// for the pipeline's defaults. They are copied, never changed.
    /// </summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>
    /// Gets the request context (tenant, user, budget scopes), or <see langword="null"/> to use the one on
    /// <see cref="ChatOptions"/> or the ambient one. Its conversation id is always set to the turn's conversation.
    /// </summary>
    public LlmRequestContext? Context { get; init; }

    /// <summary>Gets a system prompt that replaces the configured one for this turn, or <see langword="null"/>.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>
    /// Gets a value indicating whether a missing conversation is created (with the context's tenant and user
    /// and <see cref="Title"/>). Defaults to <see langword="false"/>: a missing conversation is an error.
    /// </summary>
    public bool CreateIfMissing { get; init; }

    /// <summary>Gets the title of a conversation created by <see cref="CreateIfMissing"/>, or <see langword="null"/>.</summary>
    public string? Title { get; init; }
}
