namespace LlmKit.Tests.Templates.Service;

/// <summary>
/// Expected values by hand: for an even number of degrees of freedom ν, Student's two-sided p-value is
/// 1 − sin θ · Σ_{k=0}^{ν/2−1} c_k cos^{2k} θ with θ = atan(|t|/√ν), c_0 = 1, c_k = c_{k−1}(2k−1)/(2k).
/// </summary>
public class WelchTTestTests
{
    [Fact]
    public void Compare_EqualVariances_MatchesTheClosedFormForEightDegreesOfFreedom()
    {
        // [1..5] vs [3..7]: means 3 and 5, variances 2.5 each; t = −2/√(0.5+0.5) = −2; ν = 1/(0.0625+0.0625) = 8.
        // p = 1 − (1/√3)(1 + 1/3 + 1/6 + 5/54) = 0.0805162379572627.
        var result = WelchTTest.Compare(5, 3, 2.5, 5, 5, 2.5)!.Value;

        Assert.Equal(-2, result.T, 12);
        Assert.Equal(8, result.DegreesOfFreedom, 12);
        Assert.Equal(0.0805162379572627, result.P, 10);
    }

    [Fact]
    public void Compare_TwoValuesEach_MatchesTheClosedFormForTwoDegreesOfFreedom()
    {
        // [0,2] vs [3,5]: t = −3/√2, ν = 2; p = 1 − |t|/√(t²+2) = 0.1679497056621564.
        var result = WelchTTest.Compare(2, 1, 2, 2, 4, 2)!.Value;

        Assert.Equal(-3 / Math.Sqrt(2), result.T, 12);
        Assert.Equal(2, result.DegreesOfFreedom, 12);
        Assert.Equal(0.1679497056621564, result.P, 10);
    }

    [Fact]
    public void Compare_UnequalVariances_UsesWelchSatterthwaiteDegreesOfFreedom()
    {
        // [1,2,3] (var 1) vs [2,4,6,8,10] (var 10): se² = 1/3 + 2; t = −4/√(7/3); ν = (7/3)² / ((1/3)²/2 + 2²/4).
        var result = WelchTTest.Compare(3, 2, 1, 5, 6, 10)!.Value;

        Assert.Equal(-2.6186146828319083, result.T, 12);
        Assert.Equal(5.157894736842106, result.DegreesOfFreedom, 12);
        Assert.InRange(result.P, 0.04, 0.05);
    }

    [Fact]
    public void Compare_TooFewValuesOrNoVariance_GivesNoResult()
    {
        Assert.Null(WelchTTest.Compare(1, 3, 0, 5, 4, 1));
        Assert.Null(WelchTTest.Compare(4, 3, 0, 4, 3, 0));
    }

    [Fact]
    public void TwoSidedP_ZeroStatistic_IsOne()
    {
        Assert.Equal(1, WelchTTest.TwoSidedP(0, 7), 12);
    }
}
