using Microsoft.Extensions.AI;

namespace LlmKit.Anthropic.Tests.TestDoubles;

/// <summary>Builds clients over a fake handler and runs the request writer on its own.</summary>
public static class TestClients
{
    public const string ApiKey = "sk-ant-api03-test-key-0123456789";

    public static readonly Uri BaseUrl = new("https://api.test.example/");

    public static AnthropicChatClient Create(
        FakeAnthropicHandler handler,
        Action<AnthropicClientOptions>? configure = null,
        TimeProvider? timeProvider = null,
        IModelRegistry? registry = null)
    {
        var options = new AnthropicClientOptions { ApiKey = ApiKey, BaseUrl = BaseUrl, DefaultModel = "claude-sonnet-4-6" };
        configure?.Invoke(options);
        return new AnthropicChatClient(options, new HttpClient(handler), timeProvider, registry);
    }

    public static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
