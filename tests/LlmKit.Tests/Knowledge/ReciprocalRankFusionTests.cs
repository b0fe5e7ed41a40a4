using LlmKit;
using Xunit;

namespace LlmKit.Tests.Knowledge;

public sealed class ReciprocalRankFusionTests
{
    [Fact]
    public void Fuse_TwoRankings_MatchesHandComputedScoresAndOrder()
    {
        // vector: a b c d; keyword: c a e. With k = 60:
        // a = 1/61 + 1/62 = 0.0325225..., c = 1/63 + 1/61 = 0.0322664..., b = 1/62, e = 1/63, d = 1/64.
        string[] vector = ["a", "b", "c", "d"];
        string[] keyword = ["c", "a", "e"];

        var fused = ReciprocalRankFusion.Fuse<string, string>([vector, keyword], s => s);

        Assert.Equal(["a", "c", "b", "e", "d"], fused.Select(f => f.Item));
        Assert.Equal((1.0 / 61) + (1.0 / 62), fused[0].Score, 12);
        Assert.Equal((1.0 / 63) + (1.0 / 61), fused[1].Score, 12);
        Assert.Equal(1.0 / 62, fused[2].Score, 12);
        Assert.Equal(1.0 / 63, fused[3].Score, 12);
        Assert.Equal(1.0 / 64, fused[4].Score, 12);
    }

    [Fact]
    public void Fuse_EqualScores_KeepsFirstSeenOrder()
    {
        var fused = ReciprocalRankFusion.Fuse<string, string>([["x"], ["y"]], s => s);

        Assert.Equal(["x", "y"], fused.Select(f => f.Item));
    }

    [Fact]
    public void Fuse_SmallK_WeighsTopRanksMore()
    {
        var fused = ReciprocalRankFusion.Fuse<string, string>([["a", "b"], ["b"]], s => s, k: 1);

        // a = 1/2; b = 1/3 + 1/2.
        Assert.Equal("b", fused[0].Item);
        Assert.Equal((1.0 / 3) + (1.0 / 2), fused[0].Score, 12);
    }
}
