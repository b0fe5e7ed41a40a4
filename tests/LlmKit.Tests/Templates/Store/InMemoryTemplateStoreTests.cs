using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Store;

public class InMemoryTemplateStoreTests : TemplateStoreContractTests
{
    protected override ITemplateStore CreateStore(TimeProvider timeProvider) => new InMemoryTemplateStore(timeProvider);

    [Fact]
    public async Task SaveAsync_TemplateWithoutMessages_Throws()
    {
        var store = new InMemoryTemplateStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(new PromptTemplate { Id = "x", Messages = [] }));
    }

    [Fact]
    public async Task SaveAsync_LaterChangeToTheCallersObject_DoesNotChangeTheStoredVersion()
    {
        var store = new InMemoryTemplateStore();
        var messages = new List<TemplateMessage> { new(ChatRole.User, "one") };
        var saved = await store.SaveAsync(new PromptTemplate { Id = "x", Messages = messages });

        messages[0] = new TemplateMessage(ChatRole.User, "changed");
        messages.Add(new TemplateMessage(ChatRole.User, "added"));

        Assert.Equal(1, saved.Version);
        var stored = (await store.GetAsync("x", 1))!;
        Assert.Equal([new TemplateMessage(ChatRole.User, "one")], stored.Messages);
    }
}
