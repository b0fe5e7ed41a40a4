namespace LlmKit.Tests.Safety;

public class PatternRecognizerTests
{
    [Fact]
    public void Analyze_ValidatorAndContext_FilterAndScoreMatches()
    {
        var recognizer = new PatternRecognizer("employee-id", "EMPLOYEE_ID", @"\bE\d{6}\b", 0.4, v => v[^1] != '0', ["employee", "staff"]);
        var findings = new List<SafetyFinding>();

        recognizer.Analyze("Staff member E123457 and E123450. The next line is about somebody else entirely, a visitor: E555551.", findings);

        Assert.Equal(2, findings.Count);
        Assert.Equal((13, 7, 0.7), (findings[0].Start, findings[0].Length, Math.Round(findings[0].Score, 3)));
        Assert.Equal(0.4, findings[1].Score, 3);
        Assert.All(findings, f => Assert.Equal("EMPLOYEE_ID", f.Type));
    }

    [Fact]
    public void Constructor_BadPatternOrScore_ThrowsNamingTheProblem()
    {
        var bad = Assert.Throws<ArgumentException>(() => new PatternRecognizer("x", "X", "(unclosed"));
        Assert.Contains("'x'", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PatternRecognizer("x", "X", "a", score: 1.5));
    }
}
