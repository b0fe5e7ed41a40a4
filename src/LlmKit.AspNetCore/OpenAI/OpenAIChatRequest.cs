using Microsoft.Extensions.AI;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>A chat completions request read from OpenAI's format into MEAI's types.</summary>
internal sealed class OpenAIChatRequest
{
    public required string Model { get; init; }

    public required List<ChatMessage> Messages { get; init; }

    public required ChatOptions Options { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public string? User { get; init; }
}
