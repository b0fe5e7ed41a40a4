using System.Text;
using LlmKit.Http;

namespace LlmKit.OpenAI.Tests.SharedHttp;

public sealed class ServerSentEventReaderTests
{
    [Fact]
    public async Task ReadAsync_CommentsAndUnknownFields_AreIgnoredAndMultiLineDataJoined()
    {
        using var reader = Reader(": ping\nid: 1\nretry: 5\nfoo: bar\nevent: e\ndata: a\ndata: b\n\n");

        Assert.True(await reader.ReadAsync(default));
        Assert.Equal("a\nb", Encoding.UTF8.GetString(reader.Data));
        Assert.Equal("e", Encoding.UTF8.GetString(reader.EventType));
        Assert.False(reader.IsPartial);
        Assert.False(await reader.ReadAsync(default));
        Assert.Equal(1, reader.EventCount);
    }

    [Fact]
    public async Task ReadAsync_EventCutByTheEndOfTheStream_IsReturnedMarkedPartial()
    {
        using var reader = Reader("data: {\"a\":1}\n\ndata: {\"b\":");

        Assert.True(await reader.ReadAsync(default));
        Assert.False(reader.IsPartial);
        Assert.True(await reader.ReadAsync(default));
        Assert.True(reader.IsPartial);
        Assert.True(reader.IsCutObject);
    }

    [Fact]
    public async Task ReadAsync_NotAStream_ReturnsNoEventButKeepsTheHead()
    {
        using var reader = Reader("<html>oops</html>\n");

        Assert.False(await reader.ReadAsync(default));
        Assert.Equal(0, reader.EventCount);
        Assert.Equal("<html>oops</html>\n", Encoding.UTF8.GetString(reader.Head));
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanTheLimit_ThrowsPendingProviderResponseFormatException()
    {
        using var reader = new ServerSentEventReader(new MemoryStream(Encoding.ASCII.GetBytes("data: " + new string('a', WireFormat.MaxEventBytes + 10))));

        var ex = await Assert.ThrowsAsync<ProviderResponseFormatException>(async () => await reader.ReadAsync(default));

        Assert.Contains("4 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NdjsonLineWithoutLineEnd_IsReturnedMarkedPartial()
    {
        using var reader = new ServerSentEventReader(new MemoryStream("{\"a\":1}\n{\"b\""u8.ToArray()), ndjson: true);

        Assert.True(await reader.ReadAsync(default));
        Assert.False(reader.IsPartial);
        Assert.True(await reader.ReadAsync(default));
        Assert.True(reader.IsCutObject);
    }

    private static ServerSentEventReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)));
}
