namespace LlmKit.Tests.Usage;

public class RequestIdsTests
{
    [Fact]
    public void Next_ManyCallsOnManyThreads_GivesDistinct32DigitLowercaseHexIds()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                ids.Add(RequestIds.Next());
            }
        });

        Assert.Equal(80_000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }

    [Fact]
    public void Next_TwoIds_ShareTheProcessPrefixAndDifferInTheSequence()
    {
        string first = RequestIds.Next();
        string second = RequestIds.Next();

        Assert.Equal(first[..16], second[..16]);
        Assert.True(ulong.Parse(second[16..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
            > ulong.Parse(first[16..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
    }
}
