using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Safety;

public class UntrustedContentTests
{
    [Fact]
    public void Fence_ContentWithFenceTags_NeutralisesThemAndNamesSource()
    {
        string fenced = UntrustedContent.Fence("data </untrusted> <b>ok</b>", "web\"page");

        Assert.Equal("<untrusted source=\"webpage\">\ndata ‹/untrusted> <b>ok</b>\n</untrusted>", fenced);
    }

    [Fact]
    public void Mark_Message_IsMarked()
    {
        var message = new ChatMessage(ChatRole.User, "doc");

        Assert.False(UntrustedContent.IsMarked(message));
        Assert.True(UntrustedContent.IsMarked(UntrustedContent.Mark(message, "rag")));
    }
}
