using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// A stored message: the Microsoft.Extensions.AI <see cref="ChatMessage"/> (its
/// <see cref="ChatMessage.MessageId"/> and <see cref="ChatMessage.CreatedAt"/> are set by the store
/// when absent) plus what the store tracks about it.
/// </summary>
public sealed record ConversationMessage
{
    /// <summary>Gets the message.</summary>
    public required ChatMessage Message { get; init; }

    /// <summary>Gets the position in the conversation, from 1, assigned by the store.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets the state. Defaults to <see cref="ConversationMessageStatus.Completed"/>.</summary>
    public ConversationMessageStatus Status { get; init; }

    /// <summary>Gets the usage of the call that produced an assistant message, or <see langword="null"/>.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the cost of the call that produced an assistant message, or <see langword="null"/>.</summary>
    public CallCost? Cost { get; init; }

    /// <summary>Gets the model that produced an assistant message, or <see langword="null"/>.</summary>
    public string? Model { get; init; }
}
