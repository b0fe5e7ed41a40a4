using Microsoft.Extensions.DependencyInjection;
using LlmKit.Tests.Shared;

namespace LlmKit.Anthropic.Tests;

/// <summary>Anonymised e-mail addresses restored in tool-call arguments parsed by the Anthropic client from aimock's wire format, streaming and not.</summary>
public sealed class AnthropicToolArgumentPiiTests(ToolArgumentPiiAimockFixture aimock) : IClassFixture<ToolArgumentPiiAimockFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolLoop_SurrogatesInEveryArgumentShape_ToolReceivesTheOriginalAddress(bool stream)
    {
        var outcome = await ToolArgumentPiiScenario.RunAsync(kit => kit.AddAnthropic(configure: o => { o.ApiKey = "sk-ant-e2e-test-key-000000"; o.BaseUrl = aimock.Server.BaseUri; }).Configure(o => o.DefaultModel = "claude-sonnet-4-5"), stream);

        Assert.Equal(1, outcome.ToolCalls);
        Assert.Equal("ann@example.com", outcome.Recipient);
        Assert.Equal("Hi ann@example.com", outcome.Mail!.Subject);
        Assert.Equal(["x@y.invalid", "ann@example.com"], outcome.Mail.Cc);
        Assert.Equal("ann@example.com", outcome.Mail.Headers["reply-to"]);
        Assert.Equal("Mail sent to ann@example.com.", outcome.Text);
    }
}
