using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Context;

public class LlmRequestContextTests
{
    [Fact]
    public void GetLlmContext_ContextOnOptions_WinsOverAmbient()
    {
        var onOptions = new LlmRequestContext { TenantId = "options" };
        using var scope = LlmRequestContext.BeginScope(new LlmRequestContext { TenantId = "ambient" });

        var options = new ChatOptions().WithLlmContext(onOptions);

        Assert.Same(onOptions, options.GetLlmContext());
    }

    [Fact]
    public void GetLlmContext_NoContextOnOptions_ReturnsAmbientThenEmpty()
    {
        Assert.Same(LlmRequestContext.Empty, ((ChatOptions?)null).GetLlmContext());

        var ambient = new LlmRequestContext { UserId = "u1" };
        using (LlmRequestContext.BeginScope(ambient))
        {
            Assert.Same(ambient, new ChatOptions().GetLlmContext());
        }

        Assert.Same(LlmRequestContext.Empty, new ChatOptions().GetLlmContext());
    }

    [Fact]
    public async Task BeginScope_NestedAndAcrossAwaits_RestoresPreviousOnDispose()
    {
        var outer = new LlmRequestContext { TenantId = "outer" };
        var inner = new LlmRequestContext { TenantId = "inner" };

        using (LlmRequestContext.BeginScope(outer))
        {
            await Task.Yield();
            using (LlmRequestContext.BeginScope(inner))
            {
                await Task.Yield();
                Assert.Same(inner, LlmRequestContext.Current);
            }

            Assert.Same(outer, LlmRequestContext.Current);
        }

        Assert.Null(LlmRequestContext.Current);
    }

    [Fact]
    public async Task BeginScope_ParallelFlows_DoNotSeeEachOthersContext()
    {
        async Task<string?> Flow(string tenant)
        {
            using var scope = LlmRequestContext.BeginScope(new LlmRequestContext { TenantId = tenant });
            await Task.Delay(10);
            return LlmRequestContext.Current?.TenantId;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Flow("t" + i)));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => "t" + i), results);
    }

    [Fact]
    public void WithLlmContext_ClonedOptions_CarryTheContext()
    {
        var context = new LlmRequestContext { ConversationId = "c1", Priority = RequestPriority.High };

        var clone = new ChatOptions().WithLlmContext(context).Clone();

        Assert.Same(context, clone.GetLlmContext());
    }

    [Fact]
    public void With_ChangedCopy_LeavesOriginalUnchanged()
    {
        var original = new LlmRequestContext { TenantId = "a", UserId = "u1" };

        var changed = original with { TenantId = "b" };

        Assert.Equal("a", original.TenantId);
        Assert.Equal("b", changed.TenantId);
        Assert.Equal("u1", changed.UserId);
    }

    [Fact]
    public void Empty_Tags_IsAnEmptyDictionaryNotNull()
    {
        Assert.NotNull(LlmRequestContext.Empty.Tags);
        Assert.Empty(LlmRequestContext.Empty.Tags);
    }
}
