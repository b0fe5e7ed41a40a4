using System.Globalization;

namespace LlmKit;

internal sealed partial class LlmKitOptionsValidator
{
    internal static void ValidateResilience(string key, DeploymentResilienceOptions r, Action<string, string> problem)
    {
        foreach (var (name, value) in new[] { ("TotalTimeout", r.TotalTimeout), ("AttemptTimeout", r.AttemptTimeout), ("FirstChunkTimeout", r.FirstChunkTimeout), ("ChunkIdleTimeout", r.ChunkIdleTimeout) })
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(1))
            {
                problem($"{key}:{name}", string.Create(CultureInfo.InvariantCulture, $"must be between 10 ms and 1 day; it is {value}."));
            }
        }

        if (r.MaxRetries is < 0 or > 20)
        {
            problem(key + ":MaxRetries", string.Create(CultureInfo.InvariantCulture, $"must be between 0 and 20; it is {r.MaxRetries}."));
        }

        if (r.RetryBaseDelay < TimeSpan.Zero || r.RetryMaxDelay < r.RetryBaseDelay || r.MaxRetryAfter < TimeSpan.Zero)
        {
            problem(key + ":RetryBaseDelay", "delays cannot be negative, and RetryMaxDelay cannot be below RetryBaseDelay.");
        }

        if (r.CircuitBreakerFailureRatio is <= 0 or > 1 || double.IsNaN(r.CircuitBreakerFailureRatio))
        {
            problem(key + ":CircuitBreakerFailureRatio", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0 and at most 1; it is {r.CircuitBreakerFailureRatio}."));
        }

        if (r.CircuitBreakerMinimumThroughput < 2)
        {
            problem(key + ":CircuitBreakerMinimumThroughput", "must be at least 2.");
        }

        if (r.CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || r.CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            problem(key + ":CircuitBreakerSamplingDuration", "the sampling and break durations must be at least 0.5 s.");
        }

        if (r.StreamTotalTimeout is { } streamTotal && (streamTotal < TimeSpan.FromMilliseconds(10) || streamTotal > TimeSpan.FromDays(1)))
        {
            problem(key + ":StreamTotalTimeout", string.Create(CultureInfo.InvariantCulture, $"must be between 10 ms and 1 day, or unset to use TotalTimeout; it is {streamTotal}."));
        }

        if (r.MaxConcurrentRequests < 1)
        {
            problem(key + ":MaxConcurrentRequests", string.Create(CultureInfo.InvariantCulture, $"must be at least 1; it is {r.MaxConcurrentRequests}."));
        }
    }

    private static void ValidateCooldown(string key, DeploymentCooldownOptions c, Action<string, string> problem)
    {
        if (c.FailureRatio is <= 0 or > 1 || double.IsNaN(c.FailureRatio))
        {
            problem(key + ":FailureRatio", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0 and at most 1; it is {c.FailureRatio}."));
        }

        if (c.MinimumCalls < 1)
        {
            problem(key + ":MinimumCalls", "must be at least 1.");
        }

        if (c.Duration < TimeSpan.Zero || c.MaxDuration < TimeSpan.Zero || c.ConfigurationErrorDuration < TimeSpan.Zero || c.Window <= TimeSpan.Zero)
        {
            problem(key + ":Duration", "durations cannot be negative and the window must be positive.");
        }
    }
}
