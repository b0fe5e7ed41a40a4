using Microsoft.Extensions.DependencyInjection;
using LlmKit.Tests.Shared;

namespace LlmKit.Gemini.Tests;

/// <summary>Anonymised e-mail addresses restored in tool-call arguments parsed by the Gemini client from aimock's wire format, streaming and not.</summary>
public sealed class GeminiToolArgumentPiiTests(ToolArgumentPiiAimockFixture aimock) : IClassFixture<ToolArgumentPiiAimockFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolLoop_SurrogatesInEveryArgumentShape_ToolReceivesTheOriginalAddress(bool stream)
    {
        var outcome = await ToolArgumentPiiScenario.RunAsync(kit => kit.AddGemini("gemini", o => { o.BaseUrl = aimock.Server.BaseUri; o.ApiKey = "aimock-test-key"; o.DefaultModel = "gemini-2.5-flash"; }).Configure(o => o.DefaultModel = "gemini-2.5-flash"), stream);

        Assert.Equal(1, outcome.ToolCalls);
        Assert.Equal("ann@example.com", outcome.Recipient);
        Assert.Equal("Hi ann@example.com", outcome.Mail!.Subject);
        Assert.Equal(["x@y.invalid", "ann@example.com"], outcome.Mail.Cc);
        Assert.Equal("ann@example.com", outcome.Mail.Headers["reply-to"]);
        Assert.Equal("Mail sent to ann@example.com.", outcome.Text);
    }
}
