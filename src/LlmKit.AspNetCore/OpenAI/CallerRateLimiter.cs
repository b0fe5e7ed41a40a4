using System.Collections.Concurrent;
using System.Globalization;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>
/// Requests and tokens per minute per caller, in fixed one-minute windows that start at a caller's first request, on a
/// <see cref="TimeProvider"/> (so tests run it on a fake clock). A request is admitted while the window has requests
/// left and its tokens are under the limit; the tokens a call used are added when it ends. One instance per process:
/// with several instances each counts its own traffic.
/// </summary>
internal sealed class CallerRateLimiter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public OpenAIError? TryAdmit(OpenAICaller caller)
    {
        if (caller.RequestsPerMinute is null && caller.TokensPerMinute is null)
        {
            return null;
        }

        var counter = _counters.GetOrAdd(caller.Partition, static _ => new Counter());
        var now = time.GetUtcNow();
        lock (counter)
        {
            counter.Roll(now);
            var retryAfter = counter.Start + Window - now;
            if (caller.RequestsPerMinute is { } rpm && counter.Requests >= rpm)
            {
                return new OpenAIError(
                    429,
                    string.Create(CultureInfo.InvariantCulture, $"Rate limit reached: {rpm} requests per minute for this caller. Try again in {Math.Ceiling(retryAfter.TotalSeconds)} s."),
                    "requests",
                    null,
                    "rate_limit_exceeded",
                    retryAfter);
            }

            if (caller.TokensPerMinute is { } tpm && counter.Tokens >= tpm)
            {
                return new OpenAIError(
                    429,
                    string.Create(CultureInfo.InvariantCulture, $"Rate limit reached: {tpm} tokens per minute for this caller ({counter.Tokens} used). Try again in {Math.Ceiling(retryAfter.TotalSeconds)} s."),
                    "tokens",
                    null,
                    "rate_limit_exceeded",
                    retryAfter);
            }

            counter.Requests++;
            return null;
        }
    }

    public void AddTokens(OpenAICaller caller, long tokens)
    {
        if (caller.TokensPerMinute is null || tokens <= 0 || !_counters.TryGetValue(caller.Partition, out var counter))
        {
            return;
        }

        lock (counter)
        {
            counter.Roll(time.GetUtcNow());
            counter.Tokens += tokens;
        }
    }

    private sealed class Counter
    {
        public DateTimeOffset Start { get; private set; } = DateTimeOffset.MinValue;

        public int Requests { get; set; }

        public long Tokens { get; set; }

        public void Roll(DateTimeOffset now)
        {
            if (now >= Start + Window || now < Start)
            {
                Start = now;
                Requests = 0;
                Tokens = 0;
            }
        }
    }
}
