using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>A stored message as written to an export file and to a store's message row.</summary>
internal sealed class MessageDto
{
    public long Sequence { get; set; }

    public ConversationMessageStatus Status { get; set; }

    public string? Model { get; set; }

    [JsonConverter(typeof(AIJsonConverter<UsageDetails>))]
    public UsageDetails? Usage { get; set; }

    public CallCost? Cost { get; set; }

    [JsonConverter(typeof(AIJsonConverter<ChatMessage>))]
    public ChatMessage? Message { get; set; }
}
