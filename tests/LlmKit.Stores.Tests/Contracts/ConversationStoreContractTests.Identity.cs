using Microsoft.Extensions.AI;

namespace LlmKit.Stores.Tests.Contracts;

/// <summary>Identifiers that are not well-formed UTF-16 are refused by every store, never changed (SQLite would make them U+FFFD).</summary>
public abstract partial class ConversationStoreContractTests
{
    [Fact]
    public async Task CreateAsync_IdsDifferingOnlyInLoneSurrogates_AreRefusedNotMerged()
    {
        var store = await CreateStoreAsync(Time);

        var high = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c\uD800" }));
        var low = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(new Conversation { Id = "c\uDC00" }));

        Assert.Contains("The conversation id is not well-formed UTF-16", high.Message, StringComparison.Ordinal);
        Assert.Contains("U+DC00", low.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await store.GetStatisticsAsync()).Conversations);
    }

    [Fact]
    public async Task CreateAsync_IdentifierWithLoneSurrogate_ThrowsArgumentExceptionNamingTheField()
    {
        var store = await CreateStoreAsync(Time);
        var cases = new (string Field, Conversation Conversation)[]
        {
            ("conversation id", new Conversation { Id = "\uDFFFc" }),
            ("tenant id", new Conversation { Id = "c1", TenantId = "acme\uD83D" }),
            ("user id", new Conversation { Id = "c1", UserId = "u\uDE00" }),
            ("tag", new Conversation { Id = "c1", Tags = ["ok", "t\uD800x"] }),
            ("model name", new Conversation { Id = "c1", Model = "gpt\uDC00" }),
            ("message id", new Conversation { Id = "c1", Messages = [User("m1", "a"), User("m\uD8002", "b")] }),
        };

        foreach (var (field, conversation) in cases)
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CreateAsync(conversation));
            Assert.Contains($"The {field} is not well-formed UTF-16", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, (await store.GetStatisticsAsync()).Conversations);
    }

    [Fact]
    public async Task AppendGetAndQueries_IdentifierWithLoneSurrogate_ThrowAndChangeNothing()
    {
        var store = await CreateStoreAsync(Time);
        await store.CreateAsync(new Conversation { Id = "c1", Tags = ["t"], Messages = [User("m1", "a")] });

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1", [User("m2", "b"), User("m\uDC003", "c")]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAsync("c1\uD800", [User("m2", "b")]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpdateAsync("c1", new ConversationUpdate { Tags = ["t\uDC00"] }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync("c1\uDC00"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync("c1\uD800"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(new ConversationQuery { TenantId = "a\uD800" }));

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(1, loaded.Version);
        Assert.Equal(["m1"], loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal(["t"], loaded.Tags);
    }

    [Fact]
    public async Task CreateAsync_IdsWithSurrogatePairs_AreKeptExactlyAndApart()
    {
        var store = await CreateStoreAsync(Time);

        await store.CreateAsync(new Conversation { Id = "c\U0001F600", TenantId = "t\U0001F600", Messages = [new ConversationMessage { Message = new ChatMessage(ChatRole.User, "hi") { MessageId = "m\U0001F600" } }] });
        await store.CreateAsync(new Conversation { Id = "c\U0001F601" });

        var loaded = (await store.GetAsync("c\U0001F600"))!;
        Assert.Equal("t\U0001F600", loaded.TenantId);
        Assert.Equal("m\U0001F600", loaded.Messages[0].Message.MessageId);
        Assert.Empty((await store.GetAsync("c\U0001F601"))!.Messages);
    }
}
