using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// The contract's failure paths: the conversation service's failed, broken and cancelled turns on this store, writes
/// cancelled before they start, and input every store refuses the same way before writing anything.
/// </summary>
public abstract partial class ConversationStoreContractTests
{
    [Fact]
    public async Task SendAsync_CallFails_KeepsUserMessageFailedWritesNoAnswerAndAddsNothingToTheTotals()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        var provider = new ScriptedChatClient(Time).Throws(new InvalidOperationException("boom")).ReturnsText("second answer", new UsageDetails { InputTokenCount = 7, OutputTokenCount = 2 });
        await using var services = BuildService(store, provider);
        var service = services.GetRequiredService<IConversationService>();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => service.SendAsync("c1", "first question"));

        Assert.Equal("boom", ex.Message);
        var stored = (await store.GetAsync("c1"))!;
        var only = Assert.Single(stored.Messages);
        Assert.Equal("first question", only.Message.Text);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.Equal(2, stored.Version);
        Assert.Equal(0, stored.InputTokens);
        Assert.Equal(0, stored.OutputTokens);
        Assert.Equal(0m, stored.CostUsd);

        // The next turn goes through and leaves the failed message where it was.
        await service.SendAsync("c1", "second question");
        stored = (await store.GetAsync("c1"))!;
        Assert.Equal(["first question", "second question", "second answer"], stored.Messages.Select(m => m.Message.Text));
        Assert.Equal([ConversationMessageStatus.Failed, ConversationMessageStatus.Completed, ConversationMessageStatus.Completed], stored.Messages.Select(m => m.Status));
        Assert.Equal(3, stored.Version);
        Assert.Equal(7, stored.InputTokens);
        Assert.Equal(2, stored.OutputTokens);
    }

    [Fact]
    public async Task SendStreamingAsync_FailsMidway_KeepsUserMessageFailedAndNoPartialAnswer()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        var provider = new ScriptedChatClient(Time).StreamsThenFails(["Partial ", "answer"], new InvalidOperationException("connection reset"));
        await using var services = BuildService(store, provider);
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var update in services.GetRequiredService<IConversationService>().SendStreamingAsync("c1", "hi"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal("connection reset", ex.Message);
        Assert.Equal("Partial answer", string.Concat(received));
        var stored = (await store.GetAsync("c1"))!;
        var only = Assert.Single(stored.Messages);
        Assert.Equal("hi", only.Message.Text);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.Empty(await store.SearchAsync("partial"));
    }

    [Fact]
    public async Task SendAsync_CancelledWhileModelAnswers_KeepsUserMessageFailedAndNoAnswer()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        var provider = new ScriptedChatClient(Time).ReturnsText("too late").WithLatency(TimeSpan.FromSeconds(30));
        await using var services = BuildService(store, provider);
        using var cts = new CancellationTokenSource();

        var call = services.GetRequiredService<IConversationService>().SendAsync("c1", "hello", cancellationToken: cts.Token);
        while (provider.CallCount == 0 && !call.IsCompleted)
        {
            await Task.Delay(1);
        }

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var stored = (await store.GetAsync("c1"))!;
        var only = Assert.Single(stored.Messages);
        Assert.Equal("hello", only.Message.Text);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task Writes_CancelledBeforeTheyStart_ThrowAndWriteNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "kept" });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var file = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ConversationJson.Serialize([new Conversation { Id = "c9", Messages = [User("i1", "imported")] }])));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CreateAsync(new Conversation { Id = "c2" }, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CreateManyAsync([new Conversation { Id = "c3" }, new Conversation { Id = "c4" }], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync("c1", [User("m1", "never stored")], cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpdateAsync("c1", new ConversationUpdate { Title = "changed" }, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.DeleteAsync("c1", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ImportAsync(file, cancelled.Token));

        var kept = (await store.GetAsync("c1"))!;
        Assert.Equal("kept", kept.Title);
        Assert.Equal(1, kept.Version);
        Assert.Empty(kept.Messages);
        var statistics = await store.GetStatisticsAsync();
        Assert.Equal(1, statistics.Conversations);
        Assert.Equal(0, statistics.Messages);
    }

    [Fact]
    public async Task UpdateAndCreate_EmptyMetadataKey_ThrowSayingWhatToDoAndWriteNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Metadata = new Dictionary<string, string> { ["a"] = "1" } });

        var update = await Assert.ThrowsAsync<ArgumentException>(() => store.UpdateAsync("c1", new ConversationUpdate { Title = "t", Metadata = new Dictionary<string, string?> { ["b"] = "2", [""] = "x" } }));
        var create = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c2", Metadata = new Dictionary<string, string> { [""] = "x" } }));

        Assert.Contains("metadata key is empty", update.Message, StringComparison.Ordinal);
        Assert.Contains("non-empty key", create.Message, StringComparison.Ordinal);
        var kept = (await store.GetAsync("c1"))!;
        Assert.Null(kept.Title);
        Assert.Equal(1, kept.Version);
        Assert.Equal(["a"], kept.Metadata.Keys);
        Assert.Null(await store.GetAsync("c2"));
    }

    [Fact]
    public async Task AppendAndUpdate_CostAboveWhatTheStoresKeep_ThrowNamingTheMessageAndWriteNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        // 10^12 USD: SQLite's 64-bit units of 10^-10 USD end at about 9.2 * 10^8 USD, so every store refuses it.
        var append = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AppendAsync("c1", [User("m1", "question"), Assistant("m2", "answer", 10, 2, 1_000_000_000_000m)]));
        var update = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateAsync("c1", new ConversationUpdate { AuxiliaryCost = new CallCost { Total = 1_000_000_000_000m } }));
        long version = await store.AppendAsync("c1", [User("m1", "question"), Assistant("m2", "answer", 10, 2, 900_000_000m)]);

        Assert.Contains("message 'm2'", append.Message, StringComparison.Ordinal);
        Assert.Contains("900,000,000 USD", append.Message, StringComparison.Ordinal);
        Assert.Contains("auxiliary call", update.Message, StringComparison.Ordinal);
        var stored = (await store.GetAsync("c1"))!;
        Assert.Equal(2, version);
        Assert.Equal(900_000_000m, stored.CostUsd);
        Assert.Equal(0m, stored.AuxiliaryCostUsd);
        Assert.Equal(2, stored.Messages.Count);
    }

    [Fact]
    public async Task AppendAndCreate_NegativeTokenUsage_ThrowNamingTheFieldAndWriteNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        var append = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [User("m1", "question"), Assistant("m2", "answer", -1_000_000, 2, 1m)]));
        var output = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [Assistant("m3", "answer", 10, -2, 1m)]));
        var create = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c2", Messages = [Assistant("m4", "answer", -5, 2, 1m)] }));

        Assert.Contains("InputTokenCount", append.Message, StringComparison.Ordinal);
        Assert.Contains("OutputTokenCount", output.Message, StringComparison.Ordinal);
        Assert.Contains("InputTokenCount", create.Message, StringComparison.Ordinal);
        var stored = (await store.GetAsync("c1"))!;
        Assert.Empty(stored.Messages);
        Assert.Equal(0, stored.InputTokens);
        Assert.Null(await store.GetAsync("c2"));
    }

    [Fact]
    public async Task AppendAsync_InformationalFunctionCallAndAnnotatedText_ReadBackAsMicrosoftExtensionsAIWritesThem()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        var call = new FunctionCallContent("call_9", "lookup", new Dictionary<string, object?> { ["q"] = "x" }) { InformationalOnly = true };
        var text = new TextContent("see the source") { Annotations = [new CitationAnnotation { Title = "Doc", Url = new Uri("https://example.com/doc") }] };
        var message = new ChatMessage(ChatRole.Assistant, [call, text]) { MessageId = "a1", CreatedAt = Start };

        await store.AppendAsync("c1", [new ConversationMessage { Message = message }]);

        var loaded = Assert.Single((await store.GetAsync("c1"))!.Messages).Message;
        Assert.Equal(ContentSamples.Json(message), ContentSamples.Json(loaded));
        Assert.Equal("Doc", Assert.IsType<CitationAnnotation>(Assert.Single(loaded.Contents.OfType<TextContent>().Single().Annotations!)).Title);
    }

    private ServiceProvider BuildService(IConversationStore store, IChatClient provider)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(store);
        services.AddLlmKit(kit => kit.AddProvider("p", _ => provider).AddModel("chat", "p", "gpt-4o-mini").UseDefaultModel("chat"));
        return services.BuildServiceProvider();
    }
}
