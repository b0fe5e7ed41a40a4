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

        // The odd code units reach the provider unchanged, and come back through the output guard unchanged.
        AssertKeepsOddCodeUnits(text, SentText(h));
        AssertKeepsOddCodeUnits(text, response.Text);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task GetStreamingResponseAsync_NoncharactersAndLoneSurrogates_AreScannedWithoutFrameworkException(string text)
    {
        using var h = new GuardHarness(Guarded);

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in h.Chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, text)], GuardHarness.Options()))
        {
            streamed.Append(update.Text);
        }

        AssertKeepsOddCodeUnits(text, SentText(h));
        AssertKeepsOddCodeUnits(text, streamed.ToString());
    }

    private static string SentText(GuardHarness h) => Assert.Single(h.Echo.Received).Last(m => m.Role == ChatRole.User).Text;

    /// <summary>Every lone surrogate and noncharacter code unit of <paramref name="original"/> is still in <paramref name="actual"/>.</summary>
    private static void AssertKeepsOddCodeUnits(string original, string actual)
    {
        foreach (char c in original)
        {
            if (char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' || c is >= '\uFDD0' and <= '\uFDEF')
            {
                Assert.Contains(c, actual);
            }
        }
    }
}
