namespace LlmKit.Tests.Safety;

public class SurrogateStreamRestorerTests
{
    private static PiiSurrogateMap Map()
    {
        var map = new PiiSurrogateMap();
        map.GetOrAddSurrogate("EMAIL", "ann@example.com");
        map.GetOrAddSurrogate("PHONE", "+441234567890");
        return map;
    }

    [Fact]
    public void Push_SurrogateSplitAcrossChunks_HoldsOnlyThePossiblePrefix()
    {
        var restorer = new SurrogateStreamRestorer(Map());

        Assert.Equal("Mail ", restorer.Push("Mail [EM"));
        Assert.Equal(string.Empty, restorer.Push("AIL_"));
        Assert.Equal("ann@example.com or ", restorer.Push("1] or ["));
        Assert.Equal("+441234567890.", restorer.Push("PHONE_1]."));
        Assert.Equal(string.Empty, restorer.Flush());
    }

    [Fact]
    public void Push_BracketThatCannotBeASurrogate_IsReleasedAtOnce()
    {
        var restorer = new SurrogateStreamRestorer(Map());

        Assert.Equal("array[i", restorer.Push("array[i"));
        Assert.Equal("see [", restorer.Push("see [") + restorer.Flush());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Push_AnyChunking_ReassemblesTheRestoredText(int size)
    {
        const string text = "Hi [EMAIL_1], call [PHONE_1] or [EMAIL_1]. [NOT_A_SURROGATE] end";
        var restorer = new SurrogateStreamRestorer(Map());
        string result = string.Concat(text.Chunk(size).Select(c => restorer.Push(new string(c)))) + restorer.Flush();

        Assert.Equal("Hi ann@example.com, call +441234567890 or ann@example.com. [NOT_A_SURROGATE] end", result);
    }
}
