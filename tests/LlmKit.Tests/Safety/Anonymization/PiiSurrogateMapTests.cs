namespace LlmKit.Tests.Safety;

public class PiiSurrogateMapTests
{
    [Fact]
    public void GetOrAddSurrogate_NumbersPerTypeAndReusesForSameValue()
    {
        var map = new PiiSurrogateMap();

        Assert.Equal("[EMAIL_1]", map.GetOrAddSurrogate("EMAIL", "a@example.com"));
        Assert.Equal("[EMAIL_2]", map.GetOrAddSurrogate("EMAIL", "b@example.com"));
        Assert.Equal("[PHONE_1]", map.GetOrAddSurrogate("PHONE", "+4930123456"));
        Assert.Equal("[EMAIL_1]", map.GetOrAddSurrogate("EMAIL", "a@example.com"));
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void Restore_TextWithKnownAndUnknownBrackets_RestoresOnlyKnown()
    {
        var map = new PiiSurrogateMap();
        map.GetOrAddSurrogate("EMAIL", "a@example.com");

        Assert.Equal("Write to a@example.com [EMAIL_9] [x] [EMAIL_1", map.Restore("Write to [EMAIL_1] [EMAIL_9] [x] [EMAIL_1"));
        Assert.Equal("a@example.com,a@example.com", map.Restore("[EMAIL_1],[EMAIL_1]"));
    }

    [Fact]
    public void ToString_NeverShowsValues()
    {
        var map = new PiiSurrogateMap();
        map.GetOrAddSurrogate("EMAIL", "secret@example.com");

        Assert.DoesNotContain("secret", map.ToString(), StringComparison.Ordinal);
    }
}
