using Microsoft.Extensions.DependencyInjection;
using LlmKit.Tests.Shared;

namespace LlmKit.OpenAI.Tests;

/// <summary>Anonymised e-mail addresses restored in tool-call arguments parsed by the OpenAI client from aimock's wire format, streaming and not.</summary>
public sealed class OpenAIToolArgumentPiiTests(ToolArgumentPiiAimockFixture aimock) : IClassFixture<ToolArgumentPiiAimockFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolLoop_SurrogatesInEveryArgumentShape_ToolReceivesTheOriginalAddress(bool stream)
    {
        var outcome = await ToolArgumentPiiScenario.RunAsync(kit => kit.AddOpenAICompatible(OpenAICompatibilityProfile.OpenAI, "mock", o => { o.BaseUrl = new Uri(aimock.Server.BaseUri, "v1/"); o.ApiKey = "mock-key-12345678"; }).AddModel("smart", "mock", "gpt-4o-mini").UseDefaultModel("smart"), stream);

        Assert.Equal(1, outcome.ToolCalls);
        Assert.Equal("ann@example.com", outcome.Recipient);
        Assert.Equal("Hi ann@example.com", outcome.Mail!.Subject);
        Assert.Equal(["x@y.invalid", "ann@example.com"], outcome.Mail.Cc);
        Assert.Equal("ann@example.com", outcome.Mail.Headers["reply-to"]);
        Assert.Equal("Mail sent to ann@example.com.", outcome.Text);
    }
}
