using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Counts prompt tokens exactly with Anthropic's <c>POST /v1/messages/count_tokens</c> endpoint. Obtained from
/// <c>chatClient.GetService&lt;IExactTokenCounter&gt;()</c> on an <see cref="AnthropicChatClient"/> (or a pipeline
/// over one); shares that client's settings and HTTP client.
/// </summary>
public sealed class AnthropicTokenCounter : IExactTokenCounter
{
    private readonly AnthropicChatClient _client;

    internal AnthropicTokenCounter(AnthropicChatClient client) => _client = client;

    /// <inheritdoc/>
    /// <remarks>
    /// Sends the model (<c>ChatOptions.ModelId</c>, else the client's default), the system text, the messages,
    /// the tools, the tool choice and the thinking settings, exactly as a Messages call would.
    /// </remarks>
    /// <exception cref="ProviderException">Anthropic answered with an error or could not be reached.</exception>
    public Task<int> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => _client.CountTokensAsync(messages, options, cancellationToken);
}
