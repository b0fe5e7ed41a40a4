using System.Runtime.InteropServices;

namespace LlmKit;

/// <summary>
/// A counter written on every call, striped per processor (see <see cref="ProcessorStripes"/>) so that concurrent calls on
/// different cores do not contend for one cache line. Reading adds the stripes up; under concurrent writes the total is
/// that of a moment during the read, as with any counter read without a lock.
/// </summary>
internal sealed class StripedCounter
{
    private readonly Cell[] _cells = new Cell[ProcessorStripes.Count];

    /// <summary>Gets the total.</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _cells.Length; i++)
            {
                sum += Volatile.Read(ref _cells[i].Value);
            }

            return sum;
        }
    }

    public void Increment() => Interlocked.Increment(ref _cells[ProcessorStripes.Current].Value);

    /// <summary>Sets every stripe to zero (a write racing with it may survive, as with a single counter reset beside a write).</summary>
    public void Reset()
    {
        for (int i = 0; i < _cells.Length; i++)
        {
            Volatile.Write(ref _cells[i].Value, 0);
        }
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Cell
    {
        [FieldOffset(64)]
        public long Value;
    }
}
