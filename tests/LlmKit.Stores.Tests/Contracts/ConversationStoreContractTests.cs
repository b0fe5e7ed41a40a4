using System.Text;
using System.Text.Json;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="IConversationStore"/> must have. A store joins the suite with one subclass that
/// returns a fresh, empty store from <see cref="CreateStoreAsync"/>.
/// </summary>
public abstract partial class ConversationStoreContractTests
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Returns a new, empty store that reads its clock from <paramref name="timeProvider"/>.</summary>
    protected abstract Task<IConversationStore> CreateStoreAsync(TimeProvider timeProvider);

    protected static ConversationMessage User(string id, string text, ConversationMessageStatus status = ConversationMessageStatus.Completed)
        => new() { Message = new ChatMessage(ChatRole.User, text) { MessageId = id }, Status = status };

    protected static ConversationMessage Assistant(string id, string text, long input, long output, decimal? cost, string model = "gpt-4o")
        => new()
        {
            Message = new ChatMessage(ChatRole.Assistant, text) { MessageId = id },
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
            Cost = cost is { } c ? new CallCost { Total = c, Items = [new CostItem("input", input, 2.5m, c)] } : CallCost.Unknown("no price for model 'x'"),
            Model = model,
        };

    [Fact]
    public async Task CreateAsync_WithMessages_StoresEveryFieldAndComputesTotals()
    {
        var store = await CreateStoreAsync(Time);
        var created = await store.CreateAsync(new Conversation
        {
            Id = "c1",
            Title = "Trip to Lisbon",
            TenantId = "acme",
            UserId = "u1",
            Tags = ["travel", "work", "travel"],
            Metadata = new Dictionary<string, string> { ["summary"] = "planning", ["lang"] = "en" },
            Messages =
            [
                User("m1", "Find me a hotel"),
                Assistant("m2", "Here are three hotels", 120, 30, 0.0025m, "gpt-4o"),
                User("m3", "Cheaper please"),
                Assistant("m4", "Two cheaper ones", 200, 20, 0.0035m, "gpt-4o-mini"),
            ],
        });

        var loaded = await store.GetAsync("c1");

        Assert.NotNull(loaded);
        foreach (var c in new[] { created, loaded })
        {
            Assert.Equal("Trip to Lisbon", c.Title);
            Assert.Equal("acme", c.TenantId);
            Assert.Equal("u1", c.UserId);
            Assert.Equal(["travel", "work"], c.Tags);
            Assert.Equal("planning", c.Metadata["summary"]);
            Assert.Equal(2, c.Metadata.Count);
            Assert.Equal(Start, c.CreatedAt);
            Assert.Equal(Start, c.UpdatedAt);
            Assert.Equal(1, c.Version);
            Assert.Equal(4, c.MessageCount);
            Assert.Equal(320, c.InputTokens);
            Assert.Equal(50, c.OutputTokens);
            Assert.Equal(0.006m, c.CostUsd);
            Assert.Equal("gpt-4o-mini", c.Model);
            Assert.Equal(["m1", "m2", "m3", "m4"], c.Messages.Select(m => m.Message.MessageId));
            Assert.Equal([1L, 2, 3, 4], c.Messages.Select(m => m.Sequence));
        }

        var answer = loaded.Messages[1];
        Assert.Equal(ChatRole.Assistant, answer.Message.Role);
        Assert.Equal("Here are three hotels", answer.Message.Text);
        Assert.Equal(Start, answer.Message.CreatedAt);
        Assert.Equal(120, answer.Usage!.InputTokenCount);
        Assert.Equal(30, answer.Usage.OutputTokenCount);
        Assert.Equal(0.0025m, answer.Cost!.Total);
        Assert.Equal(new CostItem("input", 120, 2.5m, 0.0025m), Assert.Single(answer.Cost.Items));
        Assert.Equal("gpt-4o", answer.Model);
    }

    [Fact]
    public async Task CreateAsync_MessageWithoutIdOrTime_GetsThemWithoutChangingTheCallersObject()
    {
        var store = await CreateStoreAsync(Time);
        var message = new ChatMessage(ChatRole.User, "hello");

        var created = await store.CreateAsync(new Conversation { Id = "c1", Messages = [new ConversationMessage { Message = message }] });

        var stored = Assert.Single((await store.GetAsync("c1"))!.Messages).Message;
        Assert.False(string.IsNullOrEmpty(stored.MessageId));
        Assert.Equal(stored.MessageId, created.Messages[0].Message.MessageId);
        Assert.Equal(Start, stored.CreatedAt);
        Assert.Null(message.MessageId);
        Assert.Null(message.CreatedAt);
    }

    [Fact]
    public async Task CreateAsync_GivenTimes_AreKept()
    {
        var store = await CreateStoreAsync(Time);
        var created = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));

        await store.CreateAsync(new Conversation { Id = "c1", CreatedAt = created, UpdatedAt = created.AddHours(1) });

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(created, loaded.CreatedAt);
        Assert.Equal(TimeSpan.Zero, loaded.CreatedAt.Offset);
        Assert.Equal(created.AddHours(1), loaded.UpdatedAt);
    }

    [Fact]
    public async Task CreateAsync_ExistingId_ThrowsConcurrencyConflictAndKeepsTheFirst()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "first" });

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CreateAsync(new Conversation { Id = "c1", Title = "second", Messages = [User("m1", "x")] }));

        Assert.Contains("c1", ex.Message, StringComparison.Ordinal);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal("first", loaded.Title);
        Assert.Empty(loaded.Messages);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public async Task GetAppendUpdateDelete_EmptyOrWhiteSpaceId_ThrowArgumentExceptionNamingTheParameter(string id)
    {
        var store = await CreateStoreAsync(Time);

        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(id))).ParamName);
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(id, [User("m1", "a")]))).ParamName);
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => store.UpdateAsync(id, new ConversationUpdate { Title = "t" }))).ParamName);
        Assert.Equal("id", (await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(id))).ParamName);
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.GetAsync(null!));
    }

    [Fact]
    public async Task CreateAsync_BadInput_ThrowsArgumentExceptions()
    {
        var store = await CreateStoreAsync(Time);

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.CreateAsync(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = " " }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c1", Tags = ["ok", ""] }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "a"), User("m1", "b")] }));
        Assert.Null(await store.GetAsync("c1"));
    }

    [Fact]
    public async Task GetAsync_MissingOrWithoutMessages_ReturnsNullOrNoMessages()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "a")] });

        Assert.Null(await store.GetAsync("nope"));
        var header = (await store.GetAsync("c1", includeMessages: false))!;
        Assert.Empty(header.Messages);
        Assert.Equal(1, header.MessageCount);
        Assert.Equal("c1", header.Id);
    }

    [Fact]
    public async Task CreateAsync_CreationTimeWithoutUpdateTime_UpdateTimeIsTheCreationTime()
    {
        var store = await CreateStoreAsync(Time);
        var created = Start.AddDays(-30);

        var returned = await store.CreateAsync(new Conversation { Id = "old", CreatedAt = created });
        var plain = await store.CreateAsync(new Conversation { Id = "new" });

        var loaded = (await store.GetAsync("old", includeMessages: false))!;
        Assert.Equal(created, loaded.CreatedAt);
        Assert.Equal(created, loaded.UpdatedAt);
        Assert.Equal(created, returned.UpdatedAt);
        Assert.Equal(Start, plain.CreatedAt);
        Assert.Equal(Start, (await store.GetAsync("new", includeMessages: false))!.UpdatedAt);
    }

    [Fact]
    public async Task AppendAsync_NewMessages_IncrementsVersionAddsTotalsAndSetsUpdatedAt()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "a"), Assistant("m2", "b", 10, 5, 0.001m)] });
        Time.Advance(TimeSpan.FromMinutes(5));

        long version = await store.AppendAsync("c1", [User("m3", "c"), Assistant("m4", "d", 100, 50, 0.01m, "claude-sonnet-4-5")], expectedVersion: 1);

        Assert.Equal(2, version);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, loaded.Version);
        Assert.Equal(Start.AddMinutes(5), loaded.UpdatedAt);
        Assert.Equal(Start, loaded.CreatedAt);
        Assert.Equal(110, loaded.InputTokens);
        Assert.Equal(55, loaded.OutputTokens);
        Assert.Equal(0.011m, loaded.CostUsd);
        Assert.Equal("claude-sonnet-4-5", loaded.Model);
        Assert.Equal(["m1", "m2", "m3", "m4"], loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal([1L, 2, 3, 4], loaded.Messages.Select(m => m.Sequence));
        Assert.Equal(Start.AddMinutes(5), loaded.Messages[3].Message.CreatedAt);
    }

    [Fact]
    public async Task AppendAsync_UnknownCostAndFailedUserMessage_KeptWithoutAddingCost()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        await store.AppendAsync("c1", [User("m1", "hello", ConversationMessageStatus.Failed), Assistant("m2", "b", 7, 3, null)]);

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(ConversationMessageStatus.Failed, loaded.Messages[0].Status);
        Assert.Equal(ConversationMessageStatus.Completed, loaded.Messages[1].Status);
        Assert.False(loaded.Messages[1].Cost!.IsKnown);
        Assert.Equal("no price for model 'x'", loaded.Messages[1].Cost!.UnknownReason);
        Assert.Equal(0m, loaded.CostUsd);
        Assert.Equal(7, loaded.InputTokens);
    }

    [Fact]
    public async Task AppendAsync_RetriedWithSameIds_IsSkippedAndReturnsCurrentVersion()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        long first = await store.AppendAsync("c1", [User("m1", "a"), Assistant("m2", "b", 10, 5, 0.001m)], expectedVersion: 1);

        long retry = await store.AppendAsync("c1", [User("m1", "a"), Assistant("m2", "b", 10, 5, 0.001m)], expectedVersion: 1);

        Assert.Equal(2, first);
        Assert.Equal(2, retry);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, loaded.Messages.Count);
        Assert.Equal(2, loaded.MessageCount);
        Assert.Equal(10, loaded.InputTokens);
        Assert.Equal(0.001m, loaded.CostUsd);
    }

    [Fact]
    public async Task AppendAsync_OneMessageAtATime_AddsTotalsModelAndSequenceAndSkipsARetry()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Model = "first", Messages = [User("m1", "a")] });
        Time.Advance(TimeSpan.FromMinutes(1));

        long afterAssistant = await store.AppendAsync("c1", [Assistant("m2", "b", 100, 40, 0.0125m, "named")], expectedVersion: 1);
        long afterUnpriced = await store.AppendAsync("c1", [Assistant("m3", "c", 7, 3, null, "other")]);
        long afterUser = await store.AppendAsync("c1", [User("m4", "d", ConversationMessageStatus.Failed)], expectedVersion: 3);
        long retried = await store.AppendAsync("c1", [Assistant("m2", "b", 100, 40, 0.0125m, "named")]);

        Assert.Equal([2L, 3, 4, 4], new[] { afterAssistant, afterUnpriced, afterUser, retried });
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(4, loaded.Version);
        Assert.Equal(4, loaded.MessageCount);
        Assert.Equal(107, loaded.InputTokens);
        Assert.Equal(43, loaded.OutputTokens);
        Assert.Equal(0.0125m, loaded.CostUsd);
        Assert.Equal("other", loaded.Model); // the last named model; the user message names none and keeps it
        Assert.Equal(["m1", "m2", "m3", "m4"], loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal([1L, 2, 3, 4], loaded.Messages.Select(m => m.Sequence));
        Assert.Equal(ConversationMessageStatus.Failed, loaded.Messages[3].Status);
        Assert.Equal(Start.AddMinutes(1), loaded.UpdatedAt);
        Assert.Equal("b", loaded.Messages[1].Message.Text);
        Assert.Equal(40, loaded.Messages[1].Usage!.OutputTokenCount);
        Assert.Equal(Start.AddMinutes(1), loaded.Messages[3].Message.CreatedAt);
        Assert.Equal("m3", Assert.Single(await store.SearchAsync("c")).MessageId);
    }

    [Fact]
    public async Task AppendAsync_PartlyStored_AppendsOnlyTheNewOnes()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "a")] });

        long version = await store.AppendAsync("c1", [User("m1", "a"), User("m2", "b")]);

        Assert.Equal(2, version);
        Assert.Equal(["m1", "m2"], (await store.GetAsync("c1"))!.Messages.Select(m => m.Message.MessageId));
    }

    [Fact]
    public async Task AppendAsync_StaleExpectedVersion_ThrowsConflictAndWritesNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        await store.AppendAsync("c1", [User("m1", "a")]);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync("c1", [User("m2", "b")], expectedVersion: 1));

        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Equal("c1", ex.ItemId);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, loaded.Version);
        Assert.Single(loaded.Messages);
    }

    [Fact]
    public async Task AppendAsync_BadInput_ThrowsAndWritesNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        var missing = await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.AppendAsync("nope", [User("m1", "a")]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [User("m1", "a"), User("m1", "b")]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [User("m1", "a"), null!]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", null!));

        Assert.Equal("nope", missing.ConversationId);
        Assert.Contains("nope", missing.Message, StringComparison.Ordinal);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Empty(loaded.Messages);
        Assert.Equal(1, loaded.Version);
    }

    [Fact]
    public async Task AppendAsync_200ConcurrentWritersEachRetryingOnce_NoMessageLostOrDuplicated()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        using var gate = new ManualResetEventSlim(false);

        var writers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            var message = Assistant($"m{i:D3}", $"answer {i}", 2, 1, 0.0001m);
            await store.AppendAsync("c1", [message]);
            await store.AppendAsync("c1", [message]);
        })).ToArray();
        gate.Set();
        await Task.WhenAll(writers);

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(200, loaded.Messages.Count);
        Assert.Equal(200, loaded.MessageCount);
        Assert.Equal(200, loaded.Messages.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), loaded.Messages.Select(m => m.Sequence));
        Assert.Equal(201, loaded.Version);
        Assert.Equal(400, loaded.InputTokens);
        Assert.Equal(0.02m, loaded.CostUsd);
    }

    [Fact]
    public async Task AppendAsync_SameIdsFromEightWritersAtOnce_StoredAndCountedOnceAndNoCallFails()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        const int Rounds = 25;
        var returned = new List<long>();

        for (int round = 0; round < Rounds; round++)
        {
            // Eight callers send the same two messages at the same moment (a client retrying on eight machines).
            using var gate = new ManualResetEventSlim(false);
            int r = round;
            var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                gate.Wait();
                return await store.AppendAsync("c1", [User($"q{r}", $"question {r}"), Assistant($"a{r}", $"answer {r}", 3, 2, 0.0005m, $"model-{r}")]);
            })).ToArray();
            gate.Set();
            returned.AddRange(await Task.WhenAll(writers));
        }

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2 * Rounds, loaded.Messages.Count);
        Assert.Equal(2 * Rounds, loaded.MessageCount);
        Assert.Equal(Enumerable.Range(0, Rounds).SelectMany(r => new[] { $"q{r}", $"a{r}" }), loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal(Enumerable.Range(1, 2 * Rounds).Select(i => (long)i), loaded.Messages.Select(m => m.Sequence));
        Assert.Equal(1 + Rounds, loaded.Version);
        Assert.Equal(3 * Rounds, loaded.InputTokens);
        Assert.Equal(2 * Rounds, loaded.OutputTokens);
        Assert.Equal(0.0005m * Rounds, loaded.CostUsd);
        Assert.Equal($"model-{Rounds - 1}", loaded.Model);
        // Every caller of a round gets that round's version: the one that stored the messages, and the ones that found them stored.
        Assert.Equal(Enumerable.Range(0, Rounds).SelectMany(r => Enumerable.Repeat(2L + r, 8)), returned);
    }

    [Fact]
    public async Task AppendAsync_ModelOfTheBatch_IsItsLastNamedModelAndNoneKeepsThePrevious()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Model = "first" });

        await store.AppendAsync("c1", [Assistant("m1", "a", 1, 1, 0.001m, "named-early"), Assistant("m2", "b", 1, 1, null, "named-last"), User("m3", "c")]);
        var afterNamed = (await store.GetAsync("c1", includeMessages: false))!;
        await store.AppendAsync("c1", [User("m4", "d"), User("m5", "e")]);
        var afterUnnamed = (await store.GetAsync("c1", includeMessages: false))!;

        Assert.Equal("named-last", afterNamed.Model);
        Assert.Equal(0.001m, afterNamed.CostUsd);
        Assert.Equal(2, afterNamed.InputTokens);
        Assert.Equal(3, afterNamed.MessageCount);
        Assert.Equal("named-last", afterUnnamed.Model);
        Assert.Equal(5, afterUnnamed.MessageCount);
        Assert.Equal(3, afterUnnamed.Version);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWritersWithExpectedVersion_EachVersionWonOnceAndRetriesLandEverything()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        var writers = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            while (true)
            {
                var current = (await store.GetAsync("c1", includeMessages: false))!;
                try
                {
                    return await store.AppendAsync("c1", [User($"m{i}", $"q {i}")], current.Version);
                }
                catch (ConcurrencyConflictException)
                {
                    // Someone else appended first: reload and try again.
                }
            }
        })).ToArray();
        long[] versions = await Task.WhenAll(writers);

        Assert.Equal(Enumerable.Range(2, 40).Select(v => (long)v), versions.Order());
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(40, loaded.Messages.Count);
        Assert.Equal(41, loaded.Version);
    }

    [Fact]
    public async Task UpdateAsync_TitleTagsAndMetadata_AreChangedAndVersionIncrements()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "old", Tags = ["a"], Metadata = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" } });
        Time.Advance(TimeSpan.FromSeconds(30));

        long version = await store.UpdateAsync("c1", new ConversationUpdate
        {
            Title = "new",
            Tags = ["b", "c"],
            Metadata = new Dictionary<string, string?> { ["drop"] = null, ["add"] = "3" },
        }, expectedVersion: 1);

        Assert.Equal(2, version);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal("new", loaded.Title);
        Assert.Equal(["b", "c"], loaded.Tags);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["add"] = "3" }, loaded.Metadata.OrderBy(kv => kv.Key).ToDictionary());
        Assert.Equal(Start.AddSeconds(30), loaded.UpdatedAt);
        Assert.Equal(2, loaded.Version);
        Assert.Single((await store.ListAsync(new ConversationQuery { Tags = ["b"] })).Items);
        Assert.Empty((await store.ListAsync(new ConversationQuery { Tags = ["a"] })).Items);
    }

    [Fact]
    public async Task UpdateAsync_OnlyTitle_LeavesTagsAndMetadata()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "old", Tags = ["a"], Metadata = new Dictionary<string, string> { ["k"] = "v" } });

        await store.UpdateAsync("c1", new ConversationUpdate { Title = "new" });

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal("new", loaded.Title);
        Assert.Equal(["a"], loaded.Tags);
        Assert.Equal("v", loaded.Metadata["k"]);
    }

    [Fact]
    public async Task UpdateAsync_StaleVersionMissingOrEmpty_ThrowsOrKeepsVersion()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "t" });
        await store.UpdateAsync("c1", new ConversationUpdate { Title = "t2" });

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync("c1", new ConversationUpdate { Title = "t3" }, expectedVersion: 1));
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.UpdateAsync("nope", new ConversationUpdate { Title = "x" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateAsync("c1", new ConversationUpdate { Tags = [""] }));
        long unchanged = await store.UpdateAsync("c1", new ConversationUpdate(), expectedVersion: 2);

        Assert.Equal(2, conflict.ActualVersion);
        Assert.Equal(2, unchanged);
        Assert.Equal("t2", (await store.GetAsync("c1"))!.Title);
    }

    [Fact]
    public async Task UpdateAsync_AuxiliaryUsage_AddedOnceToTotalsAndAuxiliaryTotalsWithTheMetadata()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "a"), Assistant("m2", "b", 100, 20, 0.0015m)] });
        Time.Advance(TimeSpan.FromSeconds(10));

        long version = await store.UpdateAsync("c1", new ConversationUpdate
        {
            Metadata = new Dictionary<string, string?> { [ConversationMetadataKeys.Summary] = "the user wants a hotel" },
            AuxiliaryUsage = new UsageDetails { InputTokenCount = 400, OutputTokenCount = 60, TotalTokenCount = 460 },
            AuxiliaryCost = new CallCost { Total = 0.0002125m },
        }, expectedVersion: 1);

        Assert.Equal(2, version);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, loaded.Version);
        Assert.Equal(Start.AddSeconds(10), loaded.UpdatedAt);
        Assert.Equal("the user wants a hotel", loaded.Metadata[ConversationMetadataKeys.Summary]);

        // Totals: the answer (100 / 20 / 0.0015) plus the summary (400 / 60 / 0.0002125).
        Assert.Equal(500, loaded.InputTokens);
        Assert.Equal(80, loaded.OutputTokens);
        Assert.Equal(0.0017125m, loaded.CostUsd);
        Assert.Equal(400, loaded.AuxiliaryInputTokens);
        Assert.Equal(60, loaded.AuxiliaryOutputTokens);
        Assert.Equal(0.0002125m, loaded.AuxiliaryCostUsd);
        Assert.Equal(0, loaded.AuxiliaryUnknownCostCalls);
        Assert.Equal(2, loaded.MessageCount);

        // A later append adds to the totals and leaves the auxiliary part alone.
        await store.AppendAsync("c1", [User("m3", "c"), Assistant("m4", "d", 10, 5, 0.0001m)], expectedVersion: 2);
        var appended = (await store.GetAsync("c1", includeMessages: false))!;
        Assert.Equal(510, appended.InputTokens);
        Assert.Equal(85, appended.OutputTokens);
        Assert.Equal(0.0018125m, appended.CostUsd);
        Assert.Equal(400, appended.AuxiliaryInputTokens);
        Assert.Equal(0.0002125m, appended.AuxiliaryCostUsd);
        var listed = Assert.Single((await store.ListAsync(new ConversationQuery())).Items);
        Assert.Equal(510, listed.InputTokens);
        Assert.Equal(60, listed.AuxiliaryOutputTokens);
    }

    [Fact]
    public async Task UpdateAsync_AuxiliaryUsageOnly_IsAChangeThatBumpsTheVersion()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "t", Metadata = new Dictionary<string, string> { ["k"] = "v" } });

        long version = await store.UpdateAsync("c1", new ConversationUpdate
        {
            AuxiliaryUsage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 4 },
            AuxiliaryCost = new CallCost { Total = 0.00005m },
        });

        Assert.Equal(2, version);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, loaded.Version);
        Assert.Equal("t", loaded.Title);
        Assert.Equal("v", Assert.Single(loaded.Metadata).Value);
        Assert.Equal(30, loaded.InputTokens);
        Assert.Equal(4, loaded.OutputTokens);
        Assert.Equal(0.00005m, loaded.CostUsd);
        Assert.Equal(30, loaded.AuxiliaryInputTokens);
        Assert.Equal(0.00005m, loaded.AuxiliaryCostUsd);
    }

    [Fact]
    public async Task UpdateAsync_AuxiliaryUsageWithStaleVersion_ThrowsConflictAndLeavesTotalsAndMetadataUnchanged()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [Assistant("m1", "b", 100, 20, 0.0015m)] });
        await store.AppendAsync("c1", [User("m2", "c")]);
        var update = new ConversationUpdate
        {
            Metadata = new Dictionary<string, string?> { [ConversationMetadataKeys.Summary] = "stale summary" },
            AuxiliaryUsage = new UsageDetails { InputTokenCount = 400, OutputTokenCount = 60 },
            AuxiliaryCost = new CallCost { Total = 0.0002m },
        };

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync("c1", update, expectedVersion: 1));

        Assert.Equal(2, conflict.ActualVersion);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, loaded.Version);
        Assert.False(loaded.Metadata.ContainsKey(ConversationMetadataKeys.Summary));
        Assert.Equal(100, loaded.InputTokens);
        Assert.Equal(20, loaded.OutputTokens);
        Assert.Equal(0.0015m, loaded.CostUsd);
        Assert.Equal(0, loaded.AuxiliaryInputTokens);
        Assert.Equal(0, loaded.AuxiliaryOutputTokens);
        Assert.Equal(0m, loaded.AuxiliaryCostUsd);
        Assert.Equal(0, loaded.AuxiliaryUnknownCostCalls);

        // Retried against the current version, it is applied exactly once.
        Assert.Equal(3, await store.UpdateAsync("c1", update, expectedVersion: 2));
        var retried = (await store.GetAsync("c1"))!;
        Assert.Equal(500, retried.InputTokens);
        Assert.Equal(0.0017m, retried.CostUsd);
        Assert.Equal(400, retried.AuxiliaryInputTokens);
    }

    [Fact]
    public async Task UpdateAsync_AuxiliaryCallOfUnknownCost_CountsTokensAndTheUnknownCallButAddsNoCost()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [Assistant("m1", "b", 100, 20, 0.0015m)] });

        await store.UpdateAsync("c1", new ConversationUpdate
        {
            AuxiliaryUsage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 7 },
            AuxiliaryCost = CallCost.Unknown("no price for model 'cheap-summarizer'"),
        });
        await store.UpdateAsync("c1", new ConversationUpdate { AuxiliaryUsage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 1 } });
        await store.UpdateAsync("c1", new ConversationUpdate { AuxiliaryCost = CallCost.Unknown("the provider reported no usage") });

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(4, loaded.Version);
        Assert.Equal(155, loaded.InputTokens);
        Assert.Equal(28, loaded.OutputTokens);
        Assert.Equal(0.0015m, loaded.CostUsd);
        Assert.Equal(55, loaded.AuxiliaryInputTokens);
        Assert.Equal(8, loaded.AuxiliaryOutputTokens);
        Assert.Equal(0m, loaded.AuxiliaryCostUsd);
        Assert.Equal(3, loaded.AuxiliaryUnknownCostCalls);
    }

    [Fact]
    public async Task UpdateAsync_NegativeAuxiliaryUsageOrCost_ThrowsArgumentExceptionAndChangesNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateAsync("c1", new ConversationUpdate { Title = "x", AuxiliaryUsage = new UsageDetails { InputTokenCount = -1 } }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateAsync("c1", new ConversationUpdate { Title = "x", AuxiliaryCost = new CallCost { Total = -0.01m } }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c2", AuxiliaryOutputTokens = -3 }));

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(1, loaded.Version);
        Assert.Null(loaded.Title);
        Assert.Equal(0, loaded.InputTokens);
        Assert.Equal(0m, loaded.CostUsd);
        Assert.Null(await store.GetAsync("c2"));
    }

    [Fact]
    public async Task UpdateAsync_50ConcurrentAuxiliaryUpdates_EveryUsageAndMetadataEntryAppliedExactlyOnce()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => store.UpdateAsync("c1", new ConversationUpdate
        {
            Metadata = new Dictionary<string, string?> { [$"k{i}"] = "v" },
            AuxiliaryUsage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 1 },
            AuxiliaryCost = i % 10 == 0 ? CallCost.Unknown("no price") : new CallCost { Total = 0.0001m },
        }))));

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(51, loaded.Version);
        Assert.Equal(50, loaded.Metadata.Count);
        Assert.Equal(150, loaded.InputTokens);
        Assert.Equal(50, loaded.OutputTokens);
        Assert.Equal(0.0045m, loaded.CostUsd);
        Assert.Equal(150, loaded.AuxiliaryInputTokens);
        Assert.Equal(0.0045m, loaded.AuxiliaryCostUsd);
        Assert.Equal(5, loaded.AuxiliaryUnknownCostCalls);
    }

    [Fact]
    public async Task DeleteAsync_Existing_RemovesConversationMessagesAndSearchEntries()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Title = "giraffe notes", Tags = ["zoo"], Messages = [User("m1", "the giraffe is tall")] });
        await store.CreateAsync(new Conversation { Id = "c2", Messages = [User("m1", "other")] });

        Assert.True(await store.DeleteAsync("c1"));
        Assert.False(await store.DeleteAsync("c1"));

        Assert.Null(await store.GetAsync("c1"));
        Assert.Empty(await store.SearchAsync("giraffe"));
        var statistics = await store.GetStatisticsAsync();
        Assert.Equal(1, statistics.Conversations);
        Assert.Equal(1, statistics.Messages);
        Assert.Empty(statistics.TopTags);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "fresh")] });
        Assert.Equal("fresh", Assert.Single((await store.GetAsync("c1"))!.Messages).Message.Text);
    }

    [Fact]
    public async Task ListAsync_Paging_NewestUpdateFirstTiesByIdDescending()
    {
        var store = await CreateStoreAsync(Time);
        // Created at minutes 0..4; "b" and "d" share minute 1, "a" and "e" share minute 3.
        foreach (var (id, minute) in new[] { ("c", 0), ("b", 1), ("d", 1), ("a", 3), ("e", 3), ("f", 4) })
        {
            Time.SetUtcNow(Start.AddMinutes(minute));
            await store.CreateAsync(new Conversation { Id = id, Messages = [User("m1", "x")] });
        }

        var page1 = await store.ListAsync(new ConversationQuery { PageSize = 4 });
        var page2 = await store.ListAsync(new ConversationQuery { PageSize = 4, ContinuationToken = page1.ContinuationToken });

        Assert.Equal(["f", "e", "a", "d"], page1.Items.Select(c => c.Id));
        Assert.NotNull(page1.ContinuationToken);
        Assert.Equal(["b", "c"], page2.Items.Select(c => c.Id));
        Assert.Null(page2.ContinuationToken);
        Assert.All(page1.Items, c => Assert.Empty(c.Messages));
        Assert.All(page1.Items, c => Assert.Equal(1, c.MessageCount));
    }

    [Fact]
    public async Task ListAsync_SeenConversationUpdatedBetweenPages_IsNotRepeatedAndNothingIsSkipped()
    {
        var store = await CreateStoreAsync(Time);
        for (int i = 0; i < 6; i++)
        {
            Time.SetUtcNow(Start.AddMinutes(i));
            await store.CreateAsync(new Conversation { Id = $"c{i}" });
        }

        var page1 = await store.ListAsync(new ConversationQuery { PageSize = 3 });
        Time.SetUtcNow(Start.AddHours(1));
        await store.UpdateAsync("c4", new ConversationUpdate { Title = "moved to the top" });
        var page2 = await store.ListAsync(new ConversationQuery { PageSize = 3, ContinuationToken = page1.ContinuationToken });

        Assert.Equal(["c5", "c4", "c3"], page1.Items.Select(c => c.Id));
        Assert.Equal(["c2", "c1", "c0"], page2.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task ListAsync_Filters_TenantUserTagsAndDates()
    {
        var store = await CreateStoreAsync(Time);
        var rows = new[]
        {
            ("c1", "acme", "u1", new[] { "a", "b" }, 0),
            ("c2", "acme", "u2", new[] { "a" }, 1),
            ("c3", "globex", "u1", new[] { "a", "b" }, 2),
            ("c4", "acme", "u1", new[] { "b" }, 3),
        };
        foreach (var (id, tenant, user, tags, day) in rows)
        {
            Time.SetUtcNow(Start.AddDays(day));
            await store.CreateAsync(new Conversation { Id = id, TenantId = tenant, UserId = user, Tags = tags });
        }

        async Task<string[]> Ids(ConversationQuery q) => [.. (await store.ListAsync(q)).Items.Select(c => c.Id)];

        Assert.Equal(["c4", "c2", "c1"], await Ids(new ConversationQuery { TenantId = "acme" }));
        Assert.Equal(["c4", "c1"], await Ids(new ConversationQuery { TenantId = "acme", UserId = "u1" }));
        Assert.Equal(["c3", "c1"], await Ids(new ConversationQuery { Tags = ["a", "b"] }));
        Assert.Equal(["c3", "c2"], await Ids(new ConversationQuery { UpdatedAfter = Start.AddDays(1), UpdatedBefore = Start.AddDays(3) }));
        Assert.Empty(await Ids(new ConversationQuery { TenantId = "initech" }));
    }

    [Fact]
    public async Task ListAsync_BadInput_ThrowsClearExceptions()
    {
        var store = await CreateStoreAsync(Time);

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.ListAsync(null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListAsync(new ConversationQuery { PageSize = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListAsync(new ConversationQuery { PageSize = 1001 }));
        var token = await Assert.ThrowsAnyAsync<LlmKitException>(() => store.ListAsync(new ConversationQuery { ContinuationToken = "not-a-token!" }));
        Assert.Contains("continuation token", token.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ListAsync_CreatedRange_FiltersByCreationTimeNotLastUpdate()
    {
        var store = await CreateStoreAsync(Time);
        // Created on days 0..4, then changed on days 10..14 in the opposite order, so the newest update is c1's:
        // a filter on the update column would match none of the created ranges below.
        for (int day = 0; day < 5; day++)
        {
            Time.SetUtcNow(Start.AddDays(day));
            await store.CreateAsync(new Conversation { Id = $"c{day + 1}", TenantId = "acme", Tags = ["t"], Messages = [User("m1", "shared words")] });
        }

        for (int i = 0; i < 5; i++)
        {
            Time.SetUtcNow(Start.AddDays(10 + i));
            await store.AppendAsync($"c{5 - i}", [Assistant("m2", "reply", 10, 1, 0.25m)]);
        }

        async Task<string[]> Ids(ConversationQuery q) => [.. (await store.ListAsync(q)).Items.Select(c => c.Id)];

        Assert.Equal(["c2", "c3"], await Ids(new ConversationQuery { CreatedAfter = Start.AddDays(1), CreatedBefore = Start.AddDays(3) }));
        Assert.Equal(["c3", "c4", "c5"], await Ids(new ConversationQuery { CreatedAfter = Start.AddDays(2) }));
        Assert.Equal(["c1", "c2"], await Ids(new ConversationQuery { CreatedBefore = Start.AddDays(2) }));
        Assert.Empty(await Ids(new ConversationQuery { CreatedAfter = Start.AddDays(10) }));
        // c2 was last updated on day 13, which the exclusive update bound leaves out.
        Assert.Equal(["c3", "c4", "c5"], await Ids(new ConversationQuery { CreatedAfter = Start.AddDays(1), UpdatedBefore = Start.AddDays(13) }));

        var range = new ConversationQuery { CreatedAfter = Start.AddDays(1), CreatedBefore = Start.AddDays(3) };
        var hits = await store.SearchAsync("shared words", range);
        Assert.Equal(["c2", "c3"], hits.Select(h => h.ConversationId).Order(StringComparer.Ordinal));
        var statistics = await store.GetStatisticsAsync(range);
        Assert.Equal(2, statistics.Conversations);
        Assert.Equal(4, statistics.Messages);
        Assert.Equal(20, statistics.InputTokens);
        Assert.Equal(0.5m, statistics.CostUsd);
        Assert.Equal([KeyValuePair.Create("t", 2L)], statistics.TopTags);
    }

    [Fact]
    public async Task ListAsync_CreatedRangeWithTenantAndTag_PagesWithoutRepeatOrSkip()
    {
        var store = await CreateStoreAsync(Time);
        // c00..c59 created an hour apart; even numbers are acme's, numbers not divisible by 3 carry "vip". Each is then
        // updated on day 5 at minute ((7 i) mod 60) / 4, so several share an update time (c10 and c44, c20 and c46
        // among the matching ones) and the id breaks the tie.
        var updateMinute = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < 60; i++)
        {
            string id = $"c{i:D2}";
            Time.SetUtcNow(Start.AddHours(i));
            await store.CreateAsync(new Conversation { Id = id, TenantId = i % 2 == 0 ? "acme" : "globex", Tags = i % 3 == 0 ? ["basic"] : ["vip", "x"] });
            updateMinute[id] = (i * 7 % 60) / 4;
        }

        foreach (var (id, minute) in updateMinute.OrderBy(u => u.Value))
        {
            Time.SetUtcNow(Start.AddDays(5).AddMinutes(minute));
            await store.UpdateAsync(id, new ConversationUpdate { Title = "touched" });
        }

        // Created hours 10..49, acme, vip: the even numbers 10..48 except the multiples of 6 (12, 18, 24, 30, 36, 42, 48).
        string[] matching = ["c10", "c14", "c16", "c20", "c22", "c26", "c28", "c32", "c34", "c38", "c40", "c44", "c46"];
        string[] expected = [.. matching.OrderByDescending(id => updateMinute[id]).ThenByDescending(id => id, StringComparer.Ordinal)];
        var query = new ConversationQuery { TenantId = "acme", Tags = ["vip"], CreatedAfter = Start.AddHours(10), CreatedBefore = Start.AddHours(50), PageSize = 4 };

        var seen = new List<string>();
        var page = await store.ListAsync(query);
        seen.AddRange(page.Items.Select(c => c.Id));
        // A conversation of the first page changed meanwhile moves above the cursor: it must not come back.
        Time.SetUtcNow(Start.AddDays(30));
        await store.UpdateAsync(seen[1], new ConversationUpdate { Title = "changed between pages" });
        int pages = 1;
        while (page.ContinuationToken is { } token)
        {
            page = await store.ListAsync(query with { ContinuationToken = token });
            seen.AddRange(page.Items.Select(c => c.Id));
            pages++;
        }

        Assert.Equal(expected, seen);
        Assert.Equal(4, pages);
        Assert.Equal(13, seen.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task ListAsync_CreatedRangeBounds_StartInclusiveEndExclusiveAtMicrosecondPrecision()
    {
        var store = await CreateStoreAsync(Time);
        var micro = TimeSpan.FromTicks(10);
        for (int i = 0; i < 3; i++)
        {
            Time.SetUtcNow(Start + (micro * i));
            await store.CreateAsync(new Conversation { Id = $"c{i}" });
        }

        for (int i = 0; i < 3; i++)
        {
            Time.SetUtcNow(Start.AddHours(1 + i));
            await store.UpdateAsync($"c{i}", new ConversationUpdate { Title = "later" });
        }

        async Task<string[]> Ids(ConversationQuery q) => [.. (await store.ListAsync(q)).Items.Select(c => c.Id)];

        Assert.Equal(["c1"], await Ids(new ConversationQuery { CreatedAfter = Start + micro, CreatedBefore = Start + (micro * 2) }));
        Assert.Empty(await Ids(new ConversationQuery { CreatedAfter = Start + micro, CreatedBefore = Start + micro }));
        // Bounds are truncated to whole microseconds, the precision the stores keep: 1 µs + 5 ticks acts as 1 µs.
        Assert.Equal(["c2", "c1"], await Ids(new ConversationQuery { CreatedAfter = Start + micro + TimeSpan.FromTicks(5) }));
        Assert.Equal(["c1", "c0"], await Ids(new ConversationQuery { CreatedBefore = Start + (micro * 2) + TimeSpan.FromTicks(5) }));
        // The same instant in another offset is the same bound.
        Assert.Equal(["c2", "c1"], await Ids(new ConversationQuery { CreatedAfter = (Start + micro).ToOffset(TimeSpan.FromHours(-5)) }));
    }

    [Fact]
    public async Task ListSearchAndStatistics_RangeStartAfterEnd_ThrowArgumentExceptionNamingBothFields()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "hello")] });
        var created = new ConversationQuery { CreatedAfter = Start.AddDays(2), CreatedBefore = Start.AddDays(1) };
        var updated = new ConversationQuery { UpdatedAfter = Start.AddDays(2), UpdatedBefore = Start.AddDays(1) };

        foreach (var error in new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync(created)),
            await Assert.ThrowsAsync<ArgumentException>(() => store.SearchAsync("hello", created)),
            await Assert.ThrowsAsync<ArgumentException>(() => store.GetStatisticsAsync(created)),
        })
        {
            Assert.Equal("query", error.ParamName);
            Assert.Contains("CreatedAfter", error.Message, StringComparison.Ordinal);
            Assert.Contains("CreatedBefore", error.Message, StringComparison.Ordinal);
        }

        var update = await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync(updated));
        Assert.Contains("UpdatedAfter", update.Message, StringComparison.Ordinal);
        Assert.Contains("UpdatedBefore", update.Message, StringComparison.Ordinal);
        // One microsecond apart in the right order is a valid (if tiny) range.
        Assert.Equal(["c1"], (await store.ListAsync(new ConversationQuery { CreatedAfter = Start, CreatedBefore = Start.AddTicks(10) })).Items.Select(c => c.Id));
    }

    [Fact]
    public async Task SearchAsync_WordsInMessagesAndTitles_OneHitPerConversation()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation
        {
            Id = "c1",
            Title = "Zebra migration",
            TenantId = "acme",
            Messages = [User("m1", "Tell me about zebra stripes"), Assistant("m2", "Zebras have stripes; the zebra crossing is named after them.", 1, 1, 0m)],
        });
        await store.CreateAsync(new Conversation { Id = "c2", Title = "Cooking", TenantId = "globex", Messages = [User("m1", "How long to boil an egg?"), User("m2", "and a zebra cake?")] });
        await store.CreateAsync(new Conversation { Id = "c3", Title = "Quarterly budget", TenantId = "acme", Messages = [User("m1", "numbers")] });

        var zebra = await store.SearchAsync("zebra");
        var words = await store.SearchAsync("ZEBRA,  crossing!");
        var title = await store.SearchAsync("quarterly");
        var filtered = await store.SearchAsync("zebra", new ConversationQuery { TenantId = "globex" });
        var none = await store.SearchAsync("elephant");

        Assert.Equal(["c1", "c2"], zebra.Select(h => h.ConversationId).Order());
        var crossing = Assert.Single(words);
        Assert.Equal("c1", crossing.ConversationId);
        Assert.Equal("m2", crossing.MessageId);
        Assert.Equal("Zebra migration", crossing.Title);
        Assert.Contains("crossing", crossing.Snippet, StringComparison.OrdinalIgnoreCase);
        var budget = Assert.Single(title);
        Assert.Equal("c3", budget.ConversationId);
        Assert.Null(budget.MessageId);
        Assert.Contains("Quarterly", budget.Snippet, StringComparison.Ordinal);
        Assert.Equal("m2", Assert.Single(filtered).MessageId);
        Assert.Empty(none);
    }

    [Fact]
    public async Task SearchAsync_PageSizeAndNewMessages_LimitHitsAndFindAppendedText()
    {
        var store = await CreateStoreAsync(Time);
        for (int i = 0; i < 5; i++)
        {
            await store.CreateAsync(new Conversation { Id = $"c{i}", Messages = [User("m1", "common words here")] });
        }

        await store.AppendAsync("c3", [User("m2", "a rare platypus")]);

        Assert.Equal(2, (await store.SearchAsync("common", new ConversationQuery { PageSize = 2 })).Count);
        var hit = Assert.Single(await store.SearchAsync("platypus"));
        Assert.Equal(("c3", "m2"), (hit.ConversationId, hit.MessageId));
    }

    [Fact]
    public async Task SearchAsync_NoWord_ThrowsArgumentException()
    {
        var store = await CreateStoreAsync(Time);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SearchAsync(" ,.;\"* "));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SearchAsync(null!));
    }

    [Fact]
    public async Task GetStatisticsAsync_TotalsAndTopTags_OverTheMatchingConversations()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", TenantId = "acme", Tags = ["x", "y"], Messages = [User("m1", "a"), Assistant("m2", "b", 100, 10, 0.5m)] });
        await store.CreateAsync(new Conversation { Id = "c2", TenantId = "acme", Tags = ["y"], Messages = [User("m1", "a"), Assistant("m2", "b", 200, 20, 0.25m), User("m3", "c")] });
        await store.CreateAsync(new Conversation { Id = "c3", TenantId = "globex", Tags = ["y", "z", "a"], Messages = [Assistant("m1", "b", 1000, 100, null)] });

        await store.UpdateAsync("c2", new ConversationUpdate { AuxiliaryUsage = new UsageDetails { InputTokenCount = 40, OutputTokenCount = 6 }, AuxiliaryCost = new CallCost { Total = 0.125m } });
        await store.UpdateAsync("c3", new ConversationUpdate { AuxiliaryUsage = new UsageDetails { InputTokenCount = 9, OutputTokenCount = 2 }, AuxiliaryCost = CallCost.Unknown("no price") });

        var all = await store.GetStatisticsAsync();
        var acme = await store.GetStatisticsAsync(new ConversationQuery { TenantId = "acme" });

        Assert.Equal(3, all.Conversations);
        Assert.Equal(6, all.Messages);
        Assert.Equal(1349, all.InputTokens);
        Assert.Equal(138, all.OutputTokens);
        Assert.Equal(0.875m, all.CostUsd);
        Assert.Equal(49, all.AuxiliaryInputTokens);
        Assert.Equal(8, all.AuxiliaryOutputTokens);
        Assert.Equal(0.125m, all.AuxiliaryCostUsd);
        Assert.Equal(1, all.AuxiliaryUnknownCostCalls);
        Assert.Equal([KeyValuePair.Create("y", 3L), KeyValuePair.Create("a", 1L), KeyValuePair.Create("x", 1L), KeyValuePair.Create("z", 1L)], all.TopTags);
        Assert.Equal(2, acme.Conversations);
        Assert.Equal(5, acme.Messages);
        Assert.Equal(340, acme.InputTokens);
        Assert.Equal(40, acme.AuxiliaryInputTokens);
        Assert.Equal(0.875m, acme.CostUsd);
        Assert.Equal(0, acme.AuxiliaryUnknownCostCalls);
        Assert.Equal([KeyValuePair.Create("y", 2L), KeyValuePair.Create("x", 1L)], acme.TopTags);
    }

    [Fact]
    public async Task ExportAndImport_EveryContentType_RoundTripsIntoAnotherStore()
    {
        var source = await CreateStoreAsync(Time);
        await source.CreateAsync(new Conversation
        {
            Id = "c1",
            Title = "Everything",
            TenantId = "acme",
            UserId = "u1",
            Tags = ["t1", "t2"],
            Metadata = new Dictionary<string, string> { ["summary"] = "earlier turns" },
            Messages = [.. ContentSamples.Messages(), ContentSamples.OtherTypesMessage()],
        });
        Time.Advance(TimeSpan.FromMinutes(3));
        await source.AppendAsync("c1", [Assistant("late", "final answer", 40, 8, 0.000123m)]);
        await source.UpdateAsync("c1", new ConversationUpdate { AuxiliaryUsage = new UsageDetails { InputTokenCount = 300, OutputTokenCount = 45 }, AuxiliaryCost = new CallCost { Total = 0.0000875m } });
        await source.UpdateAsync("c1", new ConversationUpdate { AuxiliaryUsage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 2 }, AuxiliaryCost = CallCost.Unknown("no price") });
        var original = (await source.GetAsync("c1"))!;
        using var file = new MemoryStream();
        await source.ExportAsync(["c1"], file);

        var target = await CreateStoreAsync(new FakeTimeProvider(Start.AddYears(1)));
        file.Position = 0;
        var imported = Assert.Single(await target.ImportAsync(file));
        var reloaded = (await target.GetAsync("c1"))!;

        Assert.Equal(original.CreatedAt, reloaded.CreatedAt);
        Assert.Equal(original.UpdatedAt, reloaded.UpdatedAt);
        Assert.Equal(original.InputTokens, reloaded.InputTokens);
        Assert.Equal(original.OutputTokens, reloaded.OutputTokens);
        Assert.Equal(original.CostUsd, reloaded.CostUsd);
        // Messages 100 + 40 input tokens and 0.00035 + 0.000123 USD, plus the auxiliary calls' 320 tokens and 0.0000875 USD.
        Assert.Equal(460, reloaded.InputTokens);
        Assert.Equal(0.0005605m, reloaded.CostUsd);
        Assert.Equal(320, reloaded.AuxiliaryInputTokens);
        Assert.Equal(47, reloaded.AuxiliaryOutputTokens);
        Assert.Equal(0.0000875m, reloaded.AuxiliaryCostUsd);
        Assert.Equal(1, reloaded.AuxiliaryUnknownCostCalls);
        Assert.Equal(original.Model, reloaded.Model);
        Assert.Equal(imported.Messages.Count, reloaded.Messages.Count);
        Assert.Equal(Normalized(original), Normalized(reloaded));
        for (int i = 0; i < original.Messages.Count; i++)
        {
            Assert.Equal(
                original.Messages[i].Message.Contents.Select(c => c.GetType()),
                reloaded.Messages[i].Message.Contents.Select(c => c.GetType()));
            Assert.Equal(ContentSamples.Json(original.Messages[i].Message), ContentSamples.Json(reloaded.Messages[i].Message));
        }

        // Every content type a caller can create went through the store, the file and the other store.
        Assert.Equal(
            ContentSamples.CreatableTypes().Select(t => t.Name),
            reloaded.Messages.SelectMany(m => m.Message.Contents).Select(c => c.GetType()).Distinct().Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ImportAsync_CorruptFile_ThrowsFormatExceptionWithLocationAndWritesNothing()
    {
        var store = await CreateStoreAsync(Time);
        string json = ConversationJson.Serialize([new Conversation { Id = "c1", Messages = [User("m1", "a")] }, new Conversation { Id = "c2" }]);
        string broken = json.Replace("\"role\": \"user\"", "\"role\": 42", StringComparison.Ordinal);
        using var file = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(broken));

        var ex = await Assert.ThrowsAsync<ConversationFormatException>(() => store.ImportAsync(file));

        Assert.Contains("conversations[0].messages[0]", ex.Location, StringComparison.Ordinal);
        Assert.Contains("line", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await store.GetStatisticsAsync()).Conversations);
    }

    [Fact]
    public async Task ImportAsync_ExistingConversation_ThrowsConflictAndWritesNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c2", Title = "mine" });
        string json = ConversationJson.Serialize([new Conversation { Id = "c1" }, new Conversation { Id = "c2", Title = "theirs" }]);
        using var file = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.ImportAsync(file));

        Assert.Null(await store.GetAsync("c1"));
        Assert.Equal("mine", (await store.GetAsync("c2"))!.Title);
    }

    [Fact]
    public async Task AppendAsync_TextTitleAndMetadataWithNul_RoundTripExactlyAndAreFoundBySearch()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation
        {
            Id = "c1",
            Title = "Notes\0draft",
            Metadata = new Dictionary<string, string> { ["summary"] = "x\0y", ["k\0"] = "v" },
        });

        long version = await store.AppendAsync("c1", [User("m1", "alpha\0beta gamma"), Assistant("m2", "a\0b", 10, 2, 0.001m)]);
        var loaded = (await store.GetAsync("c1"))!;

        Assert.Equal(2, version);
        Assert.Equal("alpha\0beta gamma", loaded.Messages[0].Message.Text);
        Assert.Equal("a\0b", loaded.Messages[1].Message.Text);
        Assert.Equal("Notes\0draft", loaded.Title);
        Assert.Equal("x\0y", loaded.Metadata["summary"]);
        Assert.Equal("v", loaded.Metadata["k\0"]);
        Assert.Equal("m1", Assert.Single(await store.SearchAsync("beta")).MessageId);
        // A NUL in the search text separates words like any other punctuation.
        Assert.Equal("m1", Assert.Single(await store.SearchAsync("beta\0gamma")).MessageId);
        var titleHit = Assert.Single(await store.SearchAsync("draft"));
        Assert.Null(titleHit.MessageId);
        Assert.Equal("Notes\0draft", titleHit.Title);
        Assert.Equal("Notes\0draft", Assert.Single((await store.ListAsync(new ConversationQuery())).Items).Title);

        await store.UpdateAsync("c1", new ConversationUpdate { Title = "New\0title", Metadata = new Dictionary<string, string?> { ["summary"] = "p\0q" } });
        var updated = (await store.GetAsync("c1", includeMessages: false))!;
        Assert.Equal("New\0title", updated.Title);
        Assert.Equal("p\0q", updated.Metadata["summary"]);
        await store.UpdateAsync("c1", new ConversationUpdate { Title = "plain" });
        Assert.Equal("plain", (await store.GetAsync("c1", includeMessages: false))!.Title);
        Assert.Empty(await store.SearchAsync("draft"));
    }

    [Fact]
    public async Task CreateAsync_IdentifierWithNul_ThrowsArgumentExceptionNamingTheFieldAndWritesNothing()
    {
        var store = await CreateStoreAsync(Time);
        var cases = new (string Field, Conversation Conversation)[]
        {
            ("conversation id", new Conversation { Id = "c\01" }),
            ("tenant id", new Conversation { Id = "c1", TenantId = "ac\0me" }),
            ("user id", new Conversation { Id = "c1", UserId = "u\0" }),
            ("tag", new Conversation { Id = "c1", Tags = ["ok", "t\0"] }),
            ("model name", new Conversation { Id = "c1", Model = "gpt\0" }),
            ("message id", new Conversation { Id = "c1", Messages = [User("m1", "a"), User("m\02", "b")] }),
            ("model name", new Conversation { Id = "c1", Messages = [Assistant("m1", "a", 1, 1, 0.1m, "gpt\0")] }),
            ("message role", new Conversation { Id = "c1", Messages = [new ConversationMessage { Message = new ChatMessage(new ChatRole("us\0er"), "a") { MessageId = "m1" } }] }),
        };

        foreach (var (field, conversation) in cases)
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(conversation));
            Assert.Contains($"The {field} contains a NUL character", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, (await store.GetStatisticsAsync()).Conversations);
    }

    [Fact]
    public async Task AppendUpdateAndQueries_IdentifierWithNul_ThrowArgumentExceptionAndChangeNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Tags = ["t"], Messages = [User("m1", "a")] });

        var append = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [User("m2", "b"), User("m\03", "c")]));
        Assert.Contains("message id", append.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [Assistant("m2", "b", 1, 1, 0.1m, "gpt\0")]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c\01", [User("m2", "b")]));
        var update = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateAsync("c1", new ConversationUpdate { Tags = ["t\0"] }));
        Assert.Contains("tag", update.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync("c\01"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync("c\01"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(new ConversationQuery { TenantId = "a\0" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(new ConversationQuery { UserId = "u\0" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SearchAsync("a", new ConversationQuery { Tags = ["t\0"] }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetStatisticsAsync(new ConversationQuery { TenantId = "a\0" }));
        string forged = Convert.ToBase64String(Encoding.UTF8.GetBytes("1:638000000000000000:c\01")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await Assert.ThrowsAsync<LlmKitException>(() => store.ListAsync(new ConversationQuery { ContinuationToken = forged }));

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(1, loaded.Version);
        Assert.Equal(["m1"], loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal(["t"], loaded.Tags);
    }

    [Fact]
    public async Task SendAsync_AnswerWithNul_IsStoredExactlyAndFoundBySearch()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        var provider = new ScriptedChatClient(Time);
        provider.ReturnsText("left\0right", new UsageDetails { InputTokenCount = 10, OutputTokenCount = 3 });
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(store);
        services.AddLlmKit(kit => kit.AddProvider("p", _ => provider).AddModel("chat", "p", "gpt-4o-mini").UseDefaultModel("chat"));
        await using var built = services.BuildServiceProvider();

        var turn = await built.GetRequiredService<IConversationService>().SendAsync("c1", "say\0it");

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(2, turn.Version);
        Assert.Equal(["say\0it", "left\0right"], loaded.Messages.Select(m => m.Message.Text));
        Assert.All(loaded.Messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
        Assert.Equal(loaded.Messages[1].Message.MessageId, Assert.Single(await store.SearchAsync("right")).MessageId);
    }

    [Fact]
    public async Task CreateManyAsync_SecondIdExists_ThrowsConflictAndWritesNoneOfTheBatch()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c2", Title = "mine" });

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CreateManyAsync(
        [
            new Conversation { Id = "c1", Tags = ["a"], Messages = [User("m1", "first")] },
            new Conversation { Id = "c2", Title = "theirs", Messages = [User("m1", "second")] },
            new Conversation { Id = "c3" },
        ]));

        Assert.Contains("c2", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("c1"));
        Assert.Null(await store.GetAsync("c3"));
        var mine = (await store.GetAsync("c2"))!;
        Assert.Equal("mine", mine.Title);
        Assert.Empty(mine.Messages);
        var statistics = await store.GetStatisticsAsync();
        Assert.Equal(1, statistics.Conversations);
        Assert.Equal(0, statistics.Messages);
        Assert.Empty(statistics.TopTags);
        Assert.Empty(await store.SearchAsync("first"));
        // The ids are free again: the same batch without the taken id goes through.
        Assert.Equal(2, (await store.CreateManyAsync([new Conversation { Id = "c1" }, new Conversation { Id = "c3" }])).Count);
    }

    [Fact]
    public async Task CreateManyAsync_BadLaterConversationOrRepeatedId_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await CreateStoreAsync(Time);

        var nul = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateManyAsync([new Conversation { Id = "c1" }, new Conversation { Id = "c2", TenantId = "a\0" }]));
        var twice = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateManyAsync([new Conversation { Id = "c1" }, new Conversation { Id = "c1" }]));
        var messages = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateManyAsync([new Conversation { Id = "c1" }, new Conversation { Id = "c2", Messages = [User("m1", "a"), User("m1", "b")] }]));

        Assert.Contains("tenant id", nul.Message, StringComparison.Ordinal);
        Assert.Contains("'c1'", twice.Message, StringComparison.Ordinal);
        Assert.Contains("m1", messages.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await store.GetStatisticsAsync()).Conversations);
        Assert.Empty(await store.CreateManyAsync([]));
    }

    [Fact]
    public async Task ImportAsync_ConversationCreatedByAnotherWriterAfterTheCheck_ThrowsConflictAndLeavesNoneOfTheFile()
    {
        var inner = await CreateStoreAsync(Time);
        // Another writer creates c2 between the import's up-front check and its write.
        var store = new RacingConversationStore(inner, new Conversation { Id = "c2", Title = "concurrent" });
        string json = ConversationJson.Serialize(
        [
            new Conversation { Id = "c1", Title = "imported", Messages = [User("m1", "hello")] },
            new Conversation { Id = "c2", Title = "imported" },
        ]);
        using var file = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.ImportAsync(file));

        Assert.Contains("c2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Races);
        Assert.Null(await inner.GetAsync("c1"));
        Assert.Equal("concurrent", (await inner.GetAsync("c2"))!.Title);
        Assert.Equal(1, (await inner.GetStatisticsAsync()).Conversations);
        Assert.Empty(await inner.SearchAsync("hello"));
    }

    [Fact]
    public async Task CreateManyAsync_DefaultImplementationOnAnotherStore_DeletesWhatItCreatedWhenOneFails()
    {
        var inner = await CreateStoreAsync(Time);
        await inner.CreateAsync(new Conversation { Id = "c3", Title = "mine" });
        IConversationStore store = new ForwardingConversationStore(inner);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CreateManyAsync(
            [new Conversation { Id = "c1", Messages = [User("m1", "a")] }, new Conversation { Id = "c2" }, new Conversation { Id = "c3", Title = "theirs" }]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateManyAsync([new Conversation { Id = "c1" }, new Conversation { Id = "c1" }]));

        Assert.Null(await inner.GetAsync("c1"));
        Assert.Null(await inner.GetAsync("c2"));
        Assert.Equal("mine", (await inner.GetAsync("c3"))!.Title);
        var created = await store.CreateManyAsync([new Conversation { Id = "c1", Messages = [User("m1", "a")] }, new Conversation { Id = "c2" }]);
        Assert.Equal(["c1", "c2"], created.Select(c => c.Id));
        Assert.Equal(3, (await inner.GetStatisticsAsync()).Conversations);
    }

    [Fact]
    public async Task ImportAsync_SeveralConversations_AllRoundTripInFileOrder()
    {
        var source = await CreateStoreAsync(Time);
        await source.CreateAsync(new Conversation { Id = "b", Title = "Second\0one", TenantId = "acme", Tags = ["x"], Messages = [User("m1", "hi\0there"), Assistant("m2", "hello", 5, 2, 0.0001m)] });
        Time.Advance(TimeSpan.FromSeconds(1));
        await source.CreateAsync(new Conversation { Id = "a", UserId = "u1", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        Time.Advance(TimeSpan.FromSeconds(1));
        await source.CreateAsync(new Conversation { Id = "c", Messages = [User("m1", "third")] });
        var originals = new List<Conversation>();
        foreach (string id in new[] { "b", "a", "c" })
        {
            originals.Add((await source.GetAsync(id))!);
        }

        using var file = new MemoryStream();
        await source.ExportAsync(["b", "a", "c"], file);
        var target = await CreateStoreAsync(new FakeTimeProvider(Start.AddYears(1)));
        file.Position = 0;
        var imported = await target.ImportAsync(file);

        Assert.Equal(["b", "a", "c"], imported.Select(c => c.Id));
        for (int i = 0; i < originals.Count; i++)
        {
            var reloaded = (await target.GetAsync(originals[i].Id))!;
            Assert.Equal(Normalized(originals[i]), Normalized(reloaded));
            Assert.Equal(Normalized(originals[i]), Normalized(imported[i]));
        }

        Assert.Equal("Second\0one", (await target.GetAsync("b"))!.Title);
        Assert.Equal(3, (await target.GetStatisticsAsync()).Conversations);
    }

    [Fact]
    public async Task ExportAsync_MissingConversation_ThrowsNotFound()
    {
        var store = await CreateStoreAsync(Time);
        using var file = new MemoryStream();

        await Assert.ThrowsAsync<ConversationNotFoundException>(() => store.ExportAsync(["nope"], file));
        Assert.Equal(0, file.Length);
    }

    private static string Normalized(Conversation conversation)
        => ConversationJson.Serialize([conversation with { Version = 0 }]);
}
