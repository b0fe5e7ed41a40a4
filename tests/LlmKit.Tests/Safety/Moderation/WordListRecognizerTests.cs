namespace LlmKit.Tests.Safety;

public class WordListRecognizerTests
{
    [Fact]
    public void Analyze_WholeWordsCaseInsensitive_FindCategory()
    {
        var recognizer = new WordListRecognizer(new Dictionary<string, List<string>> { ["violence"] = ["kill", "beat up"] });
        var findings = new List<SafetyFinding>();

        recognizer.Analyze("I will BEAT UP him; skill and killer are fine; kill.", findings);

        Assert.Equal([(7, 7), (47, 4)], findings.Select(f => (f.Start, f.Length)).Order().ToArray());
        Assert.All(findings, f => Assert.Equal("VIOLENCE", f.Type));
    }
}
