using System.Globalization;
using System.Net.Http.Headers;

namespace LlmKit.Http;

/// <summary>Reads how long a provider asked to wait: <c>retry-after-ms</c>, then <c>retry-after</c> in seconds or as an HTTP date.</summary>
internal static class RetryAfterParser
{
    // A wait too long for TimeSpan (a broken or hostile header) is read as "forever" rather than thrown as an OverflowException.
    private static readonly double MaxMilliseconds = TimeSpan.MaxValue.TotalMilliseconds;
    private static readonly double MaxSeconds = TimeSpan.MaxValue.TotalSeconds;

    public static TimeSpan? Parse(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValues("retry-after-ms", out var msValues)
            && double.TryParse(msValues.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double ms)
            && ms >= 0 && !double.IsInfinity(ms))
        {
            return ms >= MaxMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(ms);
        }

        if (headers.TryGetValues("retry-after", out var values))
        {
            string? raw = values.FirstOrDefault()?.Trim();
            if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && !double.IsInfinity(seconds))
            {
                return seconds >= MaxSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParseExact(raw, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }
}
