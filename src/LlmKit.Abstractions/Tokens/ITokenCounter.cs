using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Counts tokens the way a model family does. Reachable through the pipeline with
/// <c>chatClient.GetService&lt;ITokenCounter&gt;()</c>.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Gets the encoding name (for example <c>o200k_base</c>) or a description of the estimate.</summary>
    string Name { get; }

    /// <summary>Gets a value indicating whether counts equal the provider's own (rather than a calibrated estimate).</summary>
    bool IsExact { get; }

    /// <summary>Counts the tokens of a text, treating special tokens as plain text. Does not allocate.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    int CountTokens(ReadOnlySpan<char> text);

    /// <summary>Counts the prompt tokens of a chat request, with the model family's per-message and per-tool overheads.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options (tools count too), or <see langword="null"/>.</param>
    /// <returns>The token count.</returns>
    int CountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null);
}
