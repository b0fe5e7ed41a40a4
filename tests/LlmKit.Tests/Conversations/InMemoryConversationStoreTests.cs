using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Conversations;

public class InMemoryConversationStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static (InMemoryConversationStore Store, FakeTimeProvider Time) Create()
    {
        var time = new FakeTimeProvider(Start);
        return (new InMemoryConversationStore(time), time);
    }

    private static ConversationMessage Msg(string id, string text, ChatRole? role = null) =>
        new() { Message = new ChatMessage(role ?? ChatRole.User, text) { MessageId = id } };

    [Fact]
    public async Task CreateAsync_NewConversation_SetsTimesVersionAndSequences()
    {
        var (store, _) = Create();

        var created = await store.CreateAsync(new Conversation { Id = "c1", Title = "Trip", TenantId = "acme", Messages = [Msg("m1", "hello"), Msg("m2", "hi", ChatRole.Assistant)] });

        Assert.Equal(1, created.Version);
        Assert.Equal(Start, created.CreatedAt);
        Assert.Equal(Start, created.UpdatedAt);
        Assert.Equal([1L, 2L], created.Messages.Select(m => m.Sequence));
        Assert.Equal(Start, created.Messages[0].Message.CreatedAt);
    }

    [Fact]
    public async Task CreateAsync_ExistingId_ThrowsConcurrencyConflict()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CreateAsync(new Conversation { Id = "c1", Title = "other" }));

        Assert.Contains("'c1' already exists", ex.Message, StringComparison.Ordinal);
        Assert.Null((await store.GetAsync("c1"))!.Title);
    }

    [Fact]
    public async Task AppendAsync_StaleExpectedVersion_ThrowsAndStoresNothing()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });
        long v2 = await store.AppendAsync("c1", [Msg("m1", "one")], expectedVersion: 1);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync("c1", [Msg("m2", "two"), Msg("m3", "three")], expectedVersion: 1));

        Assert.Equal(2, v2);
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Equal("c1", ex.ItemId);
        var stored = await store.GetAsync("c1");
        Assert.Equal(["one"], stored!.Messages.Select(m => m.Message.Text));
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task AppendAsync_RetriedWithSameIds_IsIdempotentAndReturnsCurrentVersion()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });
        long first = await store.AppendAsync("c1", [Msg("m1", "one"), Msg("m2", "two")], expectedVersion: 1);

        // The retry of a write whose acknowledgement was lost carries the old expected version: no conflict, no duplicate.
        long retry = await store.AppendAsync("c1", [Msg("m1", "one"), Msg("m2", "two")], expectedVersion: 1);
        long partly = await store.AppendAsync("c1", [Msg("m2", "two"), Msg("m3", "three")]);

        // Two messages of one call sharing an id is a caller bug, not a retry: rejected, nothing written.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [Msg("m4", "four"), Msg("m4", "four again")]));

        Assert.Equal(2, first);
        Assert.Equal(2, retry);
        Assert.Equal(3, partly);
        var stored = await store.GetAsync("c1");
        Assert.Equal(["one", "two", "three"], stored!.Messages.Select(m => m.Message.Text));
        Assert.Equal([1L, 2L, 3L], stored.Messages.Select(m => m.Sequence));
    }

    [Fact]
    public async Task AppendAsync_MissingConversation_ThrowsConversationNotFound()
    {
        var (store, _) = Create();

        var ex = await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.AppendAsync("nope", [Msg("m1", "x")]));

        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("nope", ex.ConversationId);
    }

    [Fact]
    public async Task AppendAsync_UsageAndCost_AddUpToConversationTotals()
    {
        var (store, time) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });
        time.Advance(TimeSpan.FromMinutes(1));
        await store.AppendAsync("c1",
        [
            Msg("u1", "q"),
            new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, "a") { MessageId = "a1" }, Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 }, Cost = new CallCost { Total = 0.25m }, Model = "gpt-4o" },
            new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, "b") { MessageId = "a2" }, Usage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 5 }, Cost = CallCost.Unknown("no price"), Model = "gpt-4o-mini" },
        ]);

        var stored = await store.GetAsync("c1", includeMessages: false);

        Assert.Equal(150, stored!.InputTokens);
        Assert.Equal(25, stored.OutputTokens);
        Assert.Equal(0.25m, stored.CostUsd);
        Assert.Equal("gpt-4o-mini", stored.Model);
        Assert.Empty(stored.Messages);
        Assert.Equal(Start.AddMinutes(1), stored.UpdatedAt);
    }

    [Fact]
    public async Task GetAsync_ReturnedObjectsChanged_StoreUnchanged()
    {
        var (store, _) = Create();
        var original = new ChatMessage(ChatRole.User, "keep me") { MessageId = "m1" };
        await store.CreateAsync(new Conversation { Id = "c1", Tags = ["a"], Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        await store.AppendAsync("c1", [new ConversationMessage { Message = original, Usage = new UsageDetails { InputTokenCount = 7 } }]);

        // Change the appended message, and everything a read returns.
        ((TextContent)original.Contents[0]).Text = "changed after append";
        var read = await store.GetAsync("c1");
        ((TextContent)read!.Messages[0].Message.Contents[0]).Text = "changed after read";
        read.Messages[0].Message.Contents.Add(new TextContent("extra"));
        read.Messages[0].Usage!.InputTokenCount = 1000;
        ((Dictionary<string, string>)read.Metadata)["k"] = "changed";

        var again = await store.GetAsync("c1");
        Assert.Equal("keep me", again!.Messages[0].Message.Text);
        Assert.Single(again.Messages[0].Message.Contents);
        Assert.Equal(7, again.Messages[0].Usage!.InputTokenCount);
        Assert.Equal("v", again.Metadata["k"]);
    }

    [Fact]
    public async Task GetAsync_ToolCallAndResult_RoundTripAsJson()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });
        await store.AppendAsync("c1",
        [
            new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "weather", new Dictionary<string, object?> { ["city"] = "Paris" })]) },
            new ConversationMessage { Message = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]) },
        ]);

        var stored = await store.GetAsync("c1");

        var call = Assert.IsType<FunctionCallContent>(stored!.Messages[0].Message.Contents[0]);
        Assert.Equal("weather", call.Name);
        Assert.Equal("Paris", ((JsonElement)call.Arguments!["city"]!).GetString());
        var result = Assert.IsType<FunctionResultContent>(stored.Messages[1].Message.Contents[0]);
        Assert.Equal("call_1", result.CallId);
        Assert.False(string.IsNullOrEmpty(stored.Messages[0].Message.MessageId));
    }

    [Fact]
    public async Task GetAsync_DataUriErrorAndReasoningContent_RoundTripAsFreshObjects()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent("look") { AdditionalProperties = new() { ["lang"] = "en" } },
            new DataContent(new byte[] { 1, 2, 3 }, "image/png"),
            new UriContent(new Uri("https://example.com/a.png"), "image/png"),
        ]) { MessageId = "m1", AuthorName = "ada" };
        var answer = new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("thinking"), new ErrorContent("refused") { ErrorCode = "policy" }, new UsageContent(new UsageDetails { OutputTokenCount = 4 })]) { MessageId = "m2" };
        await store.AppendAsync("c1", [new ConversationMessage { Message = message }, new ConversationMessage { Message = answer }]);

        var first = await store.GetAsync("c1");
        ((TextContent)first!.Messages[0].Message.Contents[0]).AdditionalProperties!["lang"] = "fr";
        first.Messages[1].Message.Contents.Clear();
        var again = await store.GetAsync("c1");

        var user = again!.Messages[0].Message;
        Assert.Equal("ada", user.AuthorName);
        Assert.Equal("en", ((JsonElement)user.Contents[0].AdditionalProperties!["lang"]!).GetString());
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.IsType<DataContent>(user.Contents[1]).Data.ToArray());
        Assert.Equal("https://example.com/a.png", Assert.IsType<UriContent>(user.Contents[2]).Uri.ToString());
        var bot = again.Messages[1].Message;
        Assert.Equal("thinking", Assert.IsType<TextReasoningContent>(bot.Contents[0]).Text);
        Assert.Equal("policy", Assert.IsType<ErrorContent>(bot.Contents[1]).ErrorCode);
        Assert.Equal(4, Assert.IsType<UsageContent>(bot.Contents[2]).Details.OutputTokenCount);
    }

    [Fact]
    public async Task UpdateAsync_TitleTagsMetadata_AppliedAndNullValueRemovesKey()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1", Title = "old", Tags = ["x"], Metadata = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" } });

        long version = await store.UpdateAsync("c1", new ConversationUpdate { Title = "new", Tags = ["y", "z"], Metadata = new Dictionary<string, string?> { ["drop"] = null, ["add"] = "3" } }, expectedVersion: 1);

        var stored = await store.GetAsync("c1");
        Assert.Equal(2, version);
        Assert.Equal("new", stored!.Title);
        Assert.Equal(["y", "z"], stored.Tags);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["add"] = "3" }, stored.Metadata.ToDictionary());
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync("c1", new ConversationUpdate { Title = "late" }, expectedVersion: 1));
        Assert.Equal("new", (await store.GetAsync("c1"))!.Title);
    }

    [Fact]
    public async Task DeleteAsync_Existing_RemovesAndLaterAppendFails()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "c1" });

        Assert.True(await store.DeleteAsync("c1"));
        Assert.False(await store.DeleteAsync("c1"));
        Assert.Null(await store.GetAsync("c1"));
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.AppendAsync("c1", [Msg("m", "x")]));
    }

    [Fact]
    public async Task ListAsync_KeysetPages_NewestUpdateFirstWithoutGapsOrRepeats()
    {
        var (store, time) = Create();
        for (int i = 0; i < 7; i++)
        {
            await store.CreateAsync(new Conversation { Id = $"c{i}" });
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // c2 updated last moves to the front; c5 and c6 share nothing but order by time.
        await store.AppendAsync("c2", [Msg("m", "x")]);

        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await store.ListAsync(new ConversationQuery { PageSize = 3, ContinuationToken = token });
            seen.AddRange(page.Items.Select(c => c.Id));
            token = page.ContinuationToken;
            pages++;

            // A conversation updated while paging moves to the front and does not disturb the pages after the cursor.
            if (pages == 1)
            {
                await store.AppendAsync("c6", [Msg("late", "x")]);
            }
        }
        while (token is not null);

        Assert.Equal(["c2", "c6", "c5", "c4", "c3", "c1", "c0"], seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListAsync_Filters_TenantUserTagsAndDates()
    {
        var (store, time) = Create();
        await store.CreateAsync(new Conversation { Id = "a", TenantId = "t1", UserId = "u1", Tags = ["red", "big"] });
        time.Advance(TimeSpan.FromHours(1));
        await store.CreateAsync(new Conversation { Id = "b", TenantId = "t1", UserId = "u2", Tags = ["red"] });
        time.Advance(TimeSpan.FromHours(1));
        await store.CreateAsync(new Conversation { Id = "c", TenantId = "t2", UserId = "u1", Tags = ["big"] });

        async Task<string[]> Ids(ConversationQuery q) => [.. (await store.ListAsync(q)).Items.Select(c => c.Id)];

        Assert.Equal(["b", "a"], await Ids(new ConversationQuery { TenantId = "t1" }));
        Assert.Equal(["c", "a"], await Ids(new ConversationQuery { UserId = "u1" }));
        Assert.Equal(["a"], await Ids(new ConversationQuery { Tags = ["red", "big"] }));
        Assert.Equal(["c", "b"], await Ids(new ConversationQuery { UpdatedAfter = Start.AddHours(1) }));
        // The upper bound is exclusive: "b", updated exactly at the bound, is not before it.
        Assert.Equal(["a"], await Ids(new ConversationQuery { UpdatedBefore = Start.AddHours(1) }));
        Assert.Empty(await Ids(new ConversationQuery { TenantId = "t2", Tags = ["red"] }));
    }

    [Fact]
    public async Task ListAsync_ForeignToken_ThrowsLlmKitException()
    {
        var (store, _) = Create();

        var ex = await Assert.ThrowsAsync<LlmKitException>(() => store.ListAsync(new ConversationQuery { ContinuationToken = "not-a-token" }));

        Assert.Contains("continuation token", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAsync_CaseInsensitiveOverTitlesAndMessages_BestHitPerConversation()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "trip", Title = "Paris trip" });
        await store.AppendAsync("trip", [Msg("t1", "Book a hotel in PARIS near the Louvre"), Msg("t2", "Paris, Paris and paris again")]);
        await store.CreateAsync(new Conversation { Id = "work", Title = "Budget", TenantId = "other" });
        await store.AppendAsync("work", [Msg("w1", "The paris office budget")]);
        await store.CreateAsync(new Conversation { Id = "none", Title = "Cooking" });
        await store.AppendAsync("none", [Msg("n1", "Pasta recipes")]);

        var hits = await store.SearchAsync("paris");
        var filtered = await store.SearchAsync("PARIS budget", new ConversationQuery { TenantId = "other" });

        Assert.Equal(["trip", "work"], hits.Select(h => h.ConversationId));
        Assert.Equal("t2", hits[0].MessageId);
        Assert.Equal(3, hits[0].Rank);
        Assert.Equal("Paris trip", hits[0].Title);
        var only = Assert.Single(filtered);
        Assert.Equal("w1", only.MessageId);
        Assert.Empty(await store.SearchAsync("paris louvre", new ConversationQuery { TenantId = "other" }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SearchAsync("   "));
    }

    [Fact]
    public async Task GetStatisticsAsync_FilteredTotals_CountMessagesTokensCostAndTopTags()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "a", TenantId = "t", Tags = ["x", "y"] });
        await store.CreateAsync(new Conversation { Id = "b", TenantId = "t", Tags = ["y"] });
        await store.CreateAsync(new Conversation { Id = "c", TenantId = "u", Tags = ["z"] });
        await store.AppendAsync("a", [Msg("1", "q"), new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, "r") { MessageId = "2" }, Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 3 }, Cost = new CallCost { Total = 0.5m } }]);
        await store.AppendAsync("b", [new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, "r") { MessageId = "3" }, Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 1 }, Cost = new CallCost { Total = 0.25m } }]);
        await store.AppendAsync("c", [new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, "r") { MessageId = "4" }, Usage = new UsageDetails { InputTokenCount = 1000 }, Cost = new CallCost { Total = 9m } }]);

        var stats = await store.GetStatisticsAsync(new ConversationQuery { TenantId = "t" });

        Assert.Equal(2, stats.Conversations);
        Assert.Equal(3, stats.Messages);
        Assert.Equal(15, stats.InputTokens);
        Assert.Equal(4, stats.OutputTokens);
        Assert.Equal(0.75m, stats.CostUsd);
        Assert.Equal([new KeyValuePair<string, long>("y", 2), new KeyValuePair<string, long>("x", 1)], stats.TopTags);
    }

    [Fact]
    public async Task AppendAsync_200ConcurrentWriters_NoMessageLostOrDuplicated()
    {
        var (store, _) = Create();
        await store.CreateAsync(new Conversation { Id = "hot" });
        await store.CreateAsync(new Conversation { Id = "cas" });
        const int Writers = 200;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Half append blindly, each twice (a retry); the other half use optimistic concurrency and retry on conflict.
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await go.Task;
            var batch = new[] { Msg($"w{w}-a", $"writer {w} a"), Msg($"w{w}-b", $"writer {w} b") };
            await store.AppendAsync("hot", batch);
            await store.AppendAsync("hot", batch);

            int conflicts = 0;
            while (true)
            {
                var current = await store.GetAsync("cas", includeMessages: false);
                try
                {
                    await store.AppendAsync("cas", [Msg($"cas-{w}", $"writer {w}")], current!.Version);
                    return conflicts;
                }
                catch (ConcurrencyConflictException)
                {
                    conflicts++;
                }
            }
        })).ToArray();
        go.SetResult();
        await Task.WhenAll(tasks);

        var hot = await store.GetAsync("hot");
        var cas = await store.GetAsync("cas");
        Assert.Equal(2 * Writers, hot!.Messages.Count);
        Assert.Equal(2 * Writers, hot.Messages.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 2 * Writers).Select(i => (long)i), hot.Messages.Select(m => m.Sequence));
        Assert.Equal(1 + Writers, hot.Version);

        // Each writer's pair stays together and in order: an append is atomic.
        for (int i = 0; i < hot.Messages.Count; i += 2)
        {
            string a = hot.Messages[i].Message.MessageId!;
            Assert.EndsWith("-a", a, StringComparison.Ordinal);
            Assert.Equal(a[..^2] + "-b", hot.Messages[i + 1].Message.MessageId);
        }

        Assert.Equal(Writers, cas!.Messages.Count);
        Assert.Equal(Writers, cas.Messages.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(1 + Writers, cas.Version);
    }
}
