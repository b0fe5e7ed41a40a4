using System.Numerics;

namespace LlmKit;

/// <summary>
/// Stripes for statistics written on every call: one per processor (rounded up to a power of two, at most 64), so that calls
/// running on different cores add to different cache lines instead of all contending for one. Readers add the stripes up.
/// </summary>
internal static class ProcessorStripes
{
    /// <summary>The most stripes kept, whatever the processor count.</summary>
    public const int MaxCount = 64;

    /// <summary>Gets the number of stripes (a power of two).</summary>
    public static int Count { get; } = (int)Math.Min(MaxCount, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount)));

    /// <summary>Gets the stripe of the processor the calling thread runs on (any stripe is correct; this one is uncontended).</summary>
    public static int Current => Thread.GetCurrentProcessorId() & (Count - 1);
}
