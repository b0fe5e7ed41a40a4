using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests.Chat;

/// <summary>The contents list of single-item stream updates must behave like any <see cref="IList{T}"/>.</summary>
public sealed class SingleContentListTests
{
    private static async Task<List<ChatResponseUpdate>> StreamAsync()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture("stream-text.sse"));
        return await TestClients.CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Q")]));
    }

    [Fact]
    public async Task StreamedUpdate_Contents_IsASingleContentList()
    {
        var updates = await StreamAsync();

        Assert.IsType<SingleContentList>(updates[0].Contents);
    }

    [Fact]
    public void Enumerate_AfterGrowing_YieldsAllItemsInOrder()
    {
        var list = new SingleContentList(new TextContent("a")) { new TextContent("b") };
        list.Insert(1, new TextContent("x"));

        Assert.Equal(["a", "x", "b"], list.Cast<TextContent>().Select(t => t.Text).ToArray());
        Assert.Equal(3, list.Count);
    }

    [Fact]
    public void Enumerate_Emptied_YieldsNothing()
    {
        var list = new SingleContentList(new TextContent("a"));
        list.Clear();

        Assert.Empty(list);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[0] = new TextContent("b"));
    }

    [Fact]
    public async Task Updates_Contents_CanBeChangedByMiddleware()
    {
        var updates = await StreamAsync();

        var contents = updates[0].Contents;
        contents.Add(new TextContent("!"));
        contents.Insert(0, new TextContent(">"));
        contents.RemoveAt(2);

        Assert.Equal(2, contents.Count);
        Assert.Equal(">The capital", updates[0].Text);
        contents[0] = new TextContent("<");
        Assert.Equal("<The capital", string.Concat(contents.OfType<TextContent>().Select(t => t.Text)));
        Assert.True(contents.Contains(contents[1]));
        var copy = new AIContent[2];
        contents.CopyTo(copy, 0);
        Assert.Same(contents[1], copy[1]);
        contents.Clear();
        Assert.Empty(contents);
    }

    [Fact]
    public async Task SingleContentUpdate_Contents_BehaveAsAList()
    {
        var updates = await StreamAsync();
        var contents = updates[1].Contents;
        var item = contents[0];

        Assert.Single(contents);
        Assert.Equal(0, contents.IndexOf(item));
        Assert.Equal(-1, contents.IndexOf(new TextContent("x")));
        Assert.Throws<ArgumentOutOfRangeException>(() => contents[1]);
        Assert.False(contents.IsReadOnly);
        Assert.True(contents.Remove(item));
        Assert.Empty(contents);
    }
}
