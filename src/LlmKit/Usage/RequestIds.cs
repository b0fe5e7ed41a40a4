using System.Security.Cryptography;

namespace LlmKit;

/// <summary>
/// Request ids for calls whose context carries none: 32 lowercase hex digits (the shape of <c>Guid.ToString("N")</c>), a
/// random 64-bit prefix drawn once per process followed by a 64-bit sequence number, so ids stay unique across processes
/// and restarts (the SQL ledgers keep records by id) without drawing random bytes per call.
/// </summary>
internal static class RequestIds
{
    private static readonly ulong Prefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
    private static long _sequence;

    /// <summary>Returns a new request id.</summary>
    public static string Next()
    {
        ulong sequence = (ulong)Interlocked.Increment(ref _sequence);
        return string.Create(32, sequence, static (span, n) =>
        {
            Prefix.TryFormat(span, out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            n.TryFormat(span[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });
    }
}
