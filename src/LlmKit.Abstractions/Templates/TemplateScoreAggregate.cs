namespace LlmKit;

/// <summary>
/// The running totals of the scores a host reported for one template version or one experiment variant: the count
/// and the sum and sum of squares of each score's distance from a shift (the first score recorded). Stores update
/// the totals in one atomic step per score, so concurrent reports from any number of threads or machines add up
/// exactly; the mean, the sample variance and Welch's t-test are computed from them.
/// </summary>
/// <remarks>
/// Shifting by the first score keeps the variance accurate when the scores are large and close together (summing
/// raw squares would cancel), and keeps every total an exact sum of the reported values: integer and half-point
/// scores add up without rounding in any order.
/// </remarks>
public sealed record TemplateScoreAggregate
{
    /// <summary>Gets the totals of no scores.</summary>
    public static TemplateScoreAggregate Empty { get; } = new();

    /// <summary>Gets how many scores were reported. Defaults to 0.</summary>
    public long Count { get; init; }

    /// <summary>Gets the shift the other totals are relative to: the first score recorded, or 0 without scores.</summary>
    public double Shift { get; init; }

    /// <summary>Gets the sum of <c>score - Shift</c> over every score.</summary>
    public double ShiftedSum { get; init; }

    /// <summary>Gets the sum of <c>(score - Shift)²</c> over every score.</summary>
    public double ShiftedSumOfSquares { get; init; }

    /// <summary>Gets the sum of the scores.</summary>
    public double Sum => (Shift * Count) + ShiftedSum;

    /// <summary>Gets the mean score, or <see langword="null"/> without scores.</summary>
    public double? Mean => Count > 0 ? Shift + (ShiftedSum / Count) : null;

    /// <summary>Gets the sample variance of the scores (divided by <c>Count - 1</c>), or <see langword="null"/> with fewer than two.</summary>
    public double? Variance => Count > 1 ? Math.Max(0, (ShiftedSumOfSquares - (ShiftedSum * ShiftedSum / Count)) / (Count - 1)) : null;

    /// <summary>Gets the sample standard deviation of the scores, or <see langword="null"/> with fewer than two.</summary>
    public double? StandardDeviation => Variance is { } variance ? Math.Sqrt(variance) : null;

    /// <summary>Returns the totals with one more score, computed exactly as the durable stores compute it in SQL.</summary>
    /// <param name="score">The score; a finite number.</param>
    /// <returns>The new totals.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is not finite.</exception>
    public TemplateScoreAggregate Add(double score)
    {
        if (!double.IsFinite(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A score must be a finite number.");
        }

        if (Count == 0)
        {
            return new TemplateScoreAggregate { Count = 1, Shift = score };
        }

        double delta = score - Shift;
        return this with { Count = Count + 1, ShiftedSum = ShiftedSum + delta, ShiftedSumOfSquares = ShiftedSumOfSquares + (delta * delta) };
    }
}
