using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Counts prompt tokens with the provider's own counting endpoint (Anthropic, Gemini). Reachable
/// through the pipeline with <c>chatClient.GetService&lt;IExactTokenCounter&gt;()</c>.
/// </summary>
public interface IExactTokenCounter
{
    /// <summary>Counts the prompt tokens of a request as the provider will bill them.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options (model, tools, system), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token count.</returns>
    Task<int> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
