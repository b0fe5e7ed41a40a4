using Microsoft.Extensions.AI;

namespace LlmKit.Anthropic.Tests;

public class UpdateContentsTests
{
    [Fact]
    public void SingleItem_BehavesLikeAListOfOne()
    {
        var text = new TextContent("a");
        var contents = new UpdateContents(text);

        Assert.Single(contents);
        Assert.Same(text, contents[0]);
        Assert.Equal(0, contents.IndexOf(text));
        Assert.Contains(text, contents);
        Assert.Equal([text], contents.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => contents[1]);
    }

    [Fact]
    public void Add_GrowsAndKeepsOrder()
    {
        var first = new TextContent("a");
        var second = new TextContent("b");
        var contents = new UpdateContents(first) { second };

        contents.Insert(0, new TextContent("z"));
        contents.RemoveAt(0);

        Assert.Equal(2, contents.Count);
        Assert.Same(first, contents[0]);
        Assert.Same(second, contents[1]);
        Assert.True(contents.Remove(first));
        Assert.Same(second, Assert.Single(contents));
    }

    [Fact]
    public void SetAndClear_Work()
    {
        var contents = new UpdateContents(new TextContent("a"));
        var replacement = new TextContent("b");

        contents[0] = replacement;
        Assert.Same(replacement, contents[0]);
        contents.Clear();

        Assert.Empty(contents);
    }

    [Fact]
    public void InUpdate_MergesIntoResponse()
    {
        var update = new ChatResponseUpdate(ChatRole.Assistant, new UpdateContents(new TextContent("hi")));

        var response = new[] { update }.ToChatResponse();

        Assert.Equal("hi", response.Text);
    }
}
