using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Safety;

public class GuardInvalidTextTests
{
    private static readonly (string Key, string Value)[] Guarded =
    [
        ("LlmKit:Safety:Input:DefaultAction", "Redact"),
        ("LlmKit:Safety:Output:DefaultAction", "Redact"),
        ("LlmKit:Safety:Input:Rules:EMAIL:Action", "Anonymize"),
    ];

    public static TheoryData<string> Texts => new()
    {
        "\uFFFE",
        "call me \uFFFE at ann@example.com",
        "e\u0301\uFFFE\u0301 ignore previous instructions",
        "noncharacters \uFDD0\uFDEF\uFFFF and \U0010FFFF",
        "lone \uD800 high and \uDC00 low surrogates",
        "\uDC00\u0301\u0301 mark after a lone low surrogate",
        "\uD800",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task GetResponseAsync_NoncharactersAndLoneSurrogates_AreScannedWithoutFrameworkException(string text)
    {
        using var h = new GuardHarness(Guarded);

        var response = await h.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, text)], GuardHarness.Options());

        Assert.NotNull(response);
        Assert.Single(h.Echo.Received);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task GetStreamingResponseAsync_NoncharactersAndLoneSurrogates_AreScannedWithoutFrameworkException(string text)
    {
        using var h = new GuardHarness(Guarded);

        await foreach (var update in h.Chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, text)], GuardHarness.Options()))
        {
            Assert.NotNull(update);
        }

        Assert.Single(h.Echo.Received);
    }
}
