using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Testing.Tests;

public sealed class OfflineChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_SameInputOnTwoClients_ReturnsSameText()
    {
        using var first = new OfflineChatClient();
        using var second = new OfflineChatClient();
        ChatMessage[] messages = [new(ChatRole.User, "Tell me about the weather in Lyon")];

        ChatResponse a = await first.GetResponseAsync(messages);
        ChatResponse b = await second.GetResponseAsync(messages);

        Assert.Equal(a.Text, b.Text);
        Assert.Equal(a.ResponseId, b.ResponseId);
        Assert.Equal(a.Usage?.TotalTokenCount, b.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_DifferentInputs_ReturnDifferentTexts()
    {
        using var client = new OfflineChatClient();

        ChatResponse a = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "apples")]);
        ChatResponse b = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "oranges")]);

        Assert.NotEqual(a.Text, b.Text);
    }

    [Fact]
    public async Task GetResponseAsync_UserMessage_QuotesItAndSaysItIsTheOfflineModel()
    {
        using var client = new OfflineChatClient();

        ChatResponse response = await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.System, "You are helpful."),
            new ChatMessage(ChatRole.User, "older message"),
            new ChatMessage(ChatRole.Assistant, "older answer"),
            new ChatMessage(ChatRole.User, "Plan my  trip\nto Rome"),
        ]);

        Assert.Contains("\"Plan my trip to Rome\"", response.Text, StringComparison.Ordinal);
        Assert.Contains("(5 words)", response.Text, StringComparison.Ordinal);
        Assert.Contains("offline model", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("older message", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_Question_ReactsToQuestion()
    {
        using var client = new OfflineChatClient();

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is 2 + 2?")]);

        Assert.Contains("Good question", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_Greeting_GreetsBack()
    {
        using var client = new OfflineChatClient();

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello!")]);

        Assert.Contains("Hello to you too", response.Text, StringComparison.Ordinal);
        Assert.Contains("(1 word)", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoUserMessage_InvitesTheUserToWrite()
    {
        using var client = new OfflineChatClient();

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "be nice")]);

        Assert.StartsWith("Hello! I'm the LlmKit offline model", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_LongMessage_TruncatesQuote()
    {
        using var client = new OfflineChatClient();
        string longText = string.Join(' ', Enumerable.Repeat("word", 100));

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, longText)]);

        Assert.Contains("...\"", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(longText, response.Text, StringComparison.Ordinal);
        Assert.Contains("(100 words)", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_Always_ReportsOfflineModelStopAndUsageEstimates()
    {
        var time = new FakeTimeProvider();
        using var client = new OfflineChatClient(time);
        string input = new('x', 10);

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, input)], new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal("llmkit-offline", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.Equal(3, response.Usage?.InputTokenCount);
        Assert.Equal((response.Text.Length + 3) / 4, response.Usage?.OutputTokenCount);
        Assert.Equal(response.Usage?.InputTokenCount + response.Usage?.OutputTokenCount, response.Usage?.TotalTokenCount);
        Assert.Equal(time.GetUtcNow(), response.CreatedAt);
    }

    [Fact]
    public async Task GetResponseAsync_EmptyInput_ReportsAtLeastOneInputToken()
    {
        using var client = new OfflineChatClient();

        ChatResponse response = await client.GetResponseAsync([]);

        Assert.Equal(1, response.Usage?.InputTokenCount);
        Assert.True(response.Usage?.OutputTokenCount > 1);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Combined_EqualsNonStreamingTextAndUsage()
    {
        using var client = new OfflineChatClient();
        ChatMessage[] messages = [new(ChatRole.User, "Summarize the plot of Hamlet")];

        ChatResponse direct = await client.GetResponseAsync(messages);
        ChatResponse streamed = await client.GetStreamingResponseAsync(messages).ToChatResponseAsync();

        Assert.Equal(direct.Text, streamed.Text);
        Assert.Equal(direct.Usage?.InputTokenCount, streamed.Usage?.InputTokenCount);
        Assert.Equal(direct.Usage?.OutputTokenCount, streamed.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
        Assert.Equal("llmkit-offline", streamed.ModelId);
        Assert.Single(streamed.Messages);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Stream_WordByWordThenFinalUsageUpdate()
    {
        using var client = new OfflineChatClient();
        var updates = new List<ChatResponseUpdate>();

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi there")]))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count > 10);
        Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(ChatFinishReason.Stop, updates[^2].FinishReason);
        Assert.All(updates.Take(updates.Count - 1), u => Assert.DoesNotContain(' ', u.Text.TrimStart()));
        Assert.Single(updates, u => u.FinishReason is not null);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DelayPerWord_WaitsOnClock()
    {
        var time = new FakeTimeProvider();
        using var client = new OfflineChatClient(time, TimeSpan.FromMilliseconds(50));
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).GetAsyncEnumerator();

        ValueTask<bool> first = stream.MoveNextAsync();
        Assert.False(first.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.True(await first);
        Assert.Equal("You", stream.Current.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var client = new OfflineChatClient();
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "one two three")], cancellationToken: cts.Token))
            {
                _ = update;
                await cts.CancelAsync();
            }
        });
    }

    [Fact]
    public void Ctor_NegativeDelay_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OfflineChatClient(delayPerWord: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void GetService_Metadata_ReportsOfflineProviderAndModel()
    {
        using var client = new OfflineChatClient();

        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();

        Assert.Equal("offline", metadata?.ProviderName);
        Assert.Equal("llmkit-offline", metadata?.DefaultModelId);
        Assert.Same(client, client.GetService<OfflineChatClient>());
        Assert.Null(client.GetService<ScriptedChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("key"));
    }

    [Fact]
    public async Task GetResponseAsync_NullMessages_Throws()
    {
        using var client = new OfflineChatClient();

        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync(null!));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync(null!));
    }
}
