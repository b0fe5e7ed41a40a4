using Microsoft.Extensions.AI;

namespace LlmKit.Testing.Tests.Examples;

/// <summary>The host-app class used by the example in src/LlmKit.Testing/README.md (kept in sync with it).</summary>
public sealed class TicketSummarizer(IChatClient chat, TimeProvider time)
{
    public async Task<string> SummarizeAsync(string ticket, CancellationToken cancellationToken = default)
    {
        var options = new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0f };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Summarize the support ticket in one sentence."),
            new(ChatRole.User, ticket),
        ];

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                ChatResponse response = await chat.GetResponseAsync(messages, options, cancellationToken);
                return response.Text;
            }
            catch (RateLimitedException ex) when (attempt < 3 && ex.IsRetryable)
            {
                await Task.Delay(ex.RetryAfter ?? TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }
}
