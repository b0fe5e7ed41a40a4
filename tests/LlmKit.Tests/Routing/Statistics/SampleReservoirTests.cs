namespace LlmKit.Tests.Routing.Statistics;

public class SampleReservoirTests
{
    [Fact]
    public void Percentiles_SamplesOnEveryStripe_RankOverAllOfThem()
    {
        var reservoir = new SampleReservoir(1024, stripes: 4);
        for (int stripe = 0; stripe < 4; stripe++)
        {
            for (int i = 1; i <= 100; i++)
            {
                // Stripe 0 holds 1..100, stripe 1 holds 101..200, and so on: together 1..400.
                reservoir.Add((stripe * 100) + i, stripe);
            }
        }

        var percentiles = reservoir.Percentiles(0.50, 0.95, 0.99, 1.0)!;

        // Nearest rank over 400 samples: ceil(0.5 * 400) = 200th, ceil(0.95 * 400) = 380th, ceil(0.99 * 400) = 396th, 400th.
        Assert.Equal([200d, 380d, 396d, 400d], percentiles);
    }

    [Fact]
    public void Add_MoreSamplesThanAStripeHolds_KeepsThatStripesMostRecent()
    {
        var reservoir = new SampleReservoir(128, stripes: 2);
        for (int i = 1; i <= 100; i++)
        {
            reservoir.Add(i, 0);
        }

        reservoir.Add(1000, 1);

        // Stripe 0 keeps its last 64 samples (37..100); stripe 1 its one sample.
        Assert.Equal(64, reservoir.PerStripe);
        // Nearest rank over those 65: the minimum, the ceil(0.98 * 65) = 64th and the maximum.
        Assert.Equal([37d, 100d, 1000d], reservoir.Percentiles(0.0, 0.98, 1.0)!);
    }

    [Fact]
    public void Percentiles_NoSamples_IsNull()
        => Assert.Null(new SampleReservoir(1024, stripes: 8).Percentiles(0.5));

    [Fact]
    public void Constructor_ManyStripes_KeepsAtLeast64SamplesEach()
    {
        var reservoir = new SampleReservoir(1024, stripes: 64);

        Assert.Equal(64, reservoir.PerStripe);
        Assert.Equal(512, new SampleReservoir(1024, stripes: 2).PerStripe);
    }

    [Fact]
    public async Task Add_ConcurrentWriters_EverySampleIsOneThatWasWritten()
    {
        var reservoir = new SampleReservoir();
        var writers = Enumerable.Range(1, 8).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                reservoir.Add(w);
            }
        }));

        await Task.WhenAll(writers);

        var all = reservoir.Percentiles(0.0, 1.0)!;
        Assert.InRange(all[0], 1, 8);
        Assert.InRange(all[1], 1, 8);
    }
}
