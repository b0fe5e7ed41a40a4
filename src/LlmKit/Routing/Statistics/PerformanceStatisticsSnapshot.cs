namespace LlmKit;

/// <summary>A point-in-time view of <see cref="ModelPerformanceStatistics"/>.</summary>
public sealed record PerformanceStatisticsSnapshot
{
    /// <summary>Gets when the snapshot was taken.</summary>
    public DateTimeOffset TakenAt { get; init; }

    /// <summary>Gets one entry per deployment that has been used or configured, by name.</summary>
    public IReadOnlyList<ModelPerformanceSnapshot> Deployments { get; init; } = [];

    /// <summary>Gets one entry per logical model (or provider model id) that callers asked for.</summary>
    public IReadOnlyList<ModelPerformanceSnapshot> Models { get; init; } = [];
}
