namespace LlmKit.Tests.Safety;

public class TextNormalizerTests
{
    [Fact]
    public void TryNormalize_AsciiOrStableText_ReturnsFalseWithoutFindings()
    {
        var findings = new List<SafetyFinding>();

        Assert.False(TextNormalizer.TryNormalize("plain ascii", findings, out _));
        Assert.False(TextNormalizer.TryNormalize("Grüße aus Köln, 東京, привет 👍", findings, out _));
        Assert.Empty(findings);
    }

    [Fact]
    public void TryNormalize_Fullwidth_BecomesAsciiWithMap()
    {
        var findings = new List<SafetyFinding>();

        Assert.True(TextNormalizer.TryNormalize("a\uFF21\uFF22c", findings, out var normalized));
        using (normalized)
        {
            Assert.Equal("aABc", normalized.Text.ToString());
            Assert.Equal([0, 1, 2, 3, 4], normalized.Map.ToArray());
        }
    }

    [Fact]
    public void TryNormalize_CyrillicInsideLatinWord_IsFoldedButCyrillicWordIsNot()
    {
        var findings = new List<SafetyFinding>();

        Assert.True(TextNormalizer.TryNormalize("p\u0430ssword \u0434\u0430", findings, out var normalized));
        using (normalized)
        {
            Assert.Equal("password \u0434\u0430", normalized.Text.ToString());
        }
    }

    [Theory]
    [InlineData("ig\u200Bnore", 2, 1, 0.75)]
    [InlineData("a \u200B b", 2, 1, 0.3)]
    [InlineData("x\u202Eabc\u202C", 1, 1, 0.8)]
    public void TryNormalize_InvisibleCharacters_AreRemovedAndReported(string text, int start, int length, double score)
    {
        var findings = new List<SafetyFinding>();

        Assert.True(TextNormalizer.TryNormalize(text, findings, out var normalized));
        normalized.Dispose();

        var first = findings[0];
        Assert.Equal((start, length), (first.Start, first.Length));
        Assert.Equal(score, first.Score, 3);
        Assert.Equal("PROMPT_INJECTION", first.Type);
    }

    [Fact]
    public void MapSpan_SpanAfterRemovedCharacters_MapsToOriginalOffsets()
    {
        var findings = new List<SafetyFinding>();
        string text = "\u200B\u200Bab\u200Bcd";

        Assert.True(TextNormalizer.TryNormalize(text, findings, out var normalized));
        using (normalized)
        {
            Assert.Equal("abcd", normalized.Text.ToString());
            Assert.Equal((2, 5), normalized.MapSpan(0, 4));
        }
    }
}
