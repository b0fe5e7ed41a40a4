namespace LlmKit.Tests.Models.LiteLlm;

public class LiteLlmCorrectionsTests
{
    [Fact]
    public void Apply_MistralOutputLimitEqualToContext_BecomesUnknown()
    {
        var model = new CatalogModel { Id = "mistral/m", Provider = "mistral", ContextWindow = 128_000, MaxOutputTokens = 128_000 };
        var applied = new List<string>();

        Assert.True(LiteLlmCorrections.Apply(model, applied));

        Assert.Null(model.MaxOutputTokens);
        Assert.Contains("instead of an output limit", Assert.Single(applied), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ClaudeHaikuOneHourWriteCopyError_IsCorrectedOnlyWhileTheMapHoldsIt()
    {
        var wrong = new CatalogModel { Id = "claude-3-haiku-20240307", Provider = "anthropic", UsdPerMtok = new() { ["input"] = 0.25m, ["cache_write_1h"] = 6m } };
        var fixedUpstream = new CatalogModel { Id = "claude-3-haiku-20240307", Provider = "anthropic", UsdPerMtok = new() { ["input"] = 0.25m, ["cache_write_1h"] = 0.6m } };
        var applied = new List<string>();

        LiteLlmCorrections.Apply(wrong, applied);
        LiteLlmCorrections.Apply(fixedUpstream, applied);

        Assert.Equal(0.5m, wrong.UsdPerMtok["cache_write_1h"]);
        Assert.Equal(0.6m, fixedUpstream.UsdPerMtok["cache_write_1h"]);
        Assert.Single(applied);
    }

    [Fact]
    public void Apply_StaleGeminiFlashEmbeddingEntry_IsLeftOut()
    {
        var applied = new List<string>();

        Assert.False(LiteLlmCorrections.Apply(new CatalogModel { Id = "gemini/gemini-1.5-flash", Provider = "gemini", Mode = "embedding" }, applied));
        Assert.True(LiteLlmCorrections.Apply(new CatalogModel { Id = "gemini/gemini-1.5-flash", Provider = "gemini", Mode = "chat" }, applied));
    }
}
