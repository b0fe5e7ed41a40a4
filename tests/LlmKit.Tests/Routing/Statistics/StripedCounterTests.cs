namespace LlmKit.Tests.Routing.Statistics;

public class StripedCounterTests
{
    [Fact]
    public async Task Increment_ManyThreadsAtOnce_CountsEveryIncrement()
    {
        var counter = new StripedCounter();
        var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                counter.Increment();
            }
        }));

        await Task.WhenAll(writers);

        Assert.Equal(400_000, counter.Value);
    }

    [Fact]
    public void Reset_AfterIncrements_StartsFromZero()
    {
        var counter = new StripedCounter();
        counter.Increment();
        counter.Increment();

        counter.Reset();
        counter.Increment();

        Assert.Equal(1, counter.Value);
    }
}
