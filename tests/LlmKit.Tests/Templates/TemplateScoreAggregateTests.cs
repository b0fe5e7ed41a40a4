namespace LlmKit.Tests.Templates;

public class TemplateScoreAggregateTests
{
    [Fact]
    public void Add_LargeScoresCloseTogether_KeepsTheVarianceExact()
    {
        var totals = TemplateScoreAggregate.Empty;
        foreach (double score in new[] { 1e9 + 1, 1e9 + 2, 1e9 + 3 })
        {
            totals = totals.Add(score);
        }

        // Shift 1e9 + 1, distances 0, 1, 2: mean 1e9 + 2, sample variance (1 + 0 + 1) / 2 = 1 exactly.
        Assert.Equal((3L, 1e9 + 1, 3d, 5d), (totals.Count, totals.Shift, totals.ShiftedSum, totals.ShiftedSumOfSquares));
        Assert.Equal((3e9 + 6, 1e9 + 2, 1d, 1d), (totals.Sum, totals.Mean!.Value, totals.Variance!.Value, totals.StandardDeviation!.Value));
    }

    [Fact]
    public void Empty_AndOneScore_HaveNoVariance()
    {
        Assert.Equal((0L, 0d, (double?)null, (double?)null), (TemplateScoreAggregate.Empty.Count, TemplateScoreAggregate.Empty.Sum, TemplateScoreAggregate.Empty.Mean, TemplateScoreAggregate.Empty.Variance));
        var one = TemplateScoreAggregate.Empty.Add(-2.5);
        Assert.Equal((1L, -2.5, (double?)-2.5, (double?)null), (one.Count, one.Sum, one.Mean, one.StandardDeviation));
    }

    [Fact]
    public void Add_NotFinite_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TemplateScoreAggregate.Empty.Add(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemplateScoreAggregate.Empty.Add(4).Add(double.NegativeInfinity));
    }
}
