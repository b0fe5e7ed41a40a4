using System.Buffers;

namespace LlmKit;

/// <summary>
/// tiktoken's byte-pair merge of one piece: repeatedly merge the adjacent pair with the lowest rank (the leftmost
/// one on a tie) until no adjacent pair is a token.
/// </summary>
/// <remarks>
/// Pieces of up to <see cref="SmallPieceLimit"/> bytes use tiktoken's own quadratic scan over stack memory; longer
/// ones (long words without spaces, CJK runs, base64) a min-heap keyed by (rank, position) with a linked list, which
/// makes the same choices in O(n log n).
/// </remarks>
internal static class BytePairEncoder
{
    /// <summary>The longest piece, in bytes, merged by the quadratic scan.</summary>
    public const int SmallPieceLimit = 128;

    /// <summary>The number of <see cref="int"/>s of scratch space that the merge needs.</summary>
    public const int WorkLength = 3 * (SmallPieceLimit + 1);

    /// <summary>Counts the tokens of a piece that is at least two bytes long and not itself a token.</summary>
    /// <param name="ranks">The ranks.</param>
    /// <param name="buffer">The text, with <see cref="BpeRankTable.Padding"/> bytes after its end.</param>
    /// <param name="start">The start of the piece.</param>
    /// <param name="length">The length of the piece.</param>
    /// <param name="work">Scratch space of <see cref="WorkLength"/> ints.</param>
    /// <returns>The number of tokens.</returns>
    public static int Count(BpeRankTable ranks, ReadOnlySpan<byte> buffer, int start, int length, Span<int> work)
    {
        if (length > SmallPieceLimit)
        {
            var none = default(TokenIdBuffer);
            return MergeLarge(ranks, buffer, start, length, ref none, emit: false);
        }

        Span<int> starts = work.Slice(0, length + 1);
        Span<int> pairRanks = work.Slice(SmallPieceLimit + 1, length + 1);
        return MergeSmall(ranks, buffer, start, length, starts, pairRanks, default) - 1;
    }

    /// <summary>Appends the tokens of a piece that is at least two bytes long and not itself a token.</summary>
    /// <param name="ranks">The ranks.</param>
    /// <param name="buffer">The text, with <see cref="BpeRankTable.Padding"/> bytes after its end.</param>
    /// <param name="start">The start of the piece.</param>
    /// <param name="length">The length of the piece.</param>
    /// <param name="work">Scratch space of <see cref="WorkLength"/> ints.</param>
    /// <param name="output">Receives the token ids.</param>
    public static void Encode(BpeRankTable ranks, scoped ReadOnlySpan<byte> buffer, int start, int length, scoped Span<int> work, ref TokenIdBuffer output)
    {
        if (length > SmallPieceLimit)
        {
            MergeLarge(ranks, buffer, start, length, ref output, emit: true);
            return;
        }

        Span<int> starts = work.Slice(0, length + 1);
        Span<int> pairRanks = work.Slice(SmallPieceLimit + 1, length + 1);
        Span<int> partRanks = work.Slice(2 * (SmallPieceLimit + 1), length + 1);
        int count = MergeSmall(ranks, buffer, start, length, starts, pairRanks, partRanks);
        for (int i = 0; i < count - 1; i++)
        {
            output.Add(partRanks[i]);
        }
    }

    /// <summary>The quadratic merge; returns the number of boundaries (tokens + 1).</summary>
    private static int MergeSmall(BpeRankTable ranks, ReadOnlySpan<byte> buffer, int start, int length, Span<int> starts, Span<int> pairRanks, Span<int> partRanks)
    {
        bool emit = !partRanks.IsEmpty;
        for (int i = 0; i < length - 1; i++)
        {
            starts[i] = i;
            pairRanks[i] = ranks.GetPairRank(buffer[start + i], buffer[start + i + 1]);
        }

        starts[length - 1] = length - 1;
        starts[length] = length;
        pairRanks[length - 1] = BpeRankTable.NotFound;
        pairRanks[length] = BpeRankTable.NotFound;
        if (emit)
        {
            for (int i = 0; i < length; i++)
            {
                partRanks[i] = ranks.GetByteRank(buffer[start + i]);
            }
        }

        int count = length + 1;
        while (true)
        {
            // pairRanks[count - 2] (the last part has no right neighbour) is always NotFound.
            int min = BpeRankTable.NotFound, at = -1;
            for (int i = 0; i < count - 2; i++)
            {
                if (pairRanks[i] < min)
                {
                    min = pairRanks[i];
                    at = i;
                }
            }

            if (at < 0)
            {
                return count;
            }

            if (at > 0)
            {
                pairRanks[at - 1] = ranks.GetRank(buffer, start + starts[at - 1], starts[at + 2] - starts[at - 1]);
            }

            pairRanks[at] = at + 3 < count ? ranks.GetRank(buffer, start + starts[at], starts[at + 3] - starts[at]) : BpeRankTable.NotFound;
            starts.Slice(at + 2, count - at - 2).CopyTo(starts.Slice(at + 1));
            pairRanks.Slice(at + 2, count - at - 2).CopyTo(pairRanks.Slice(at + 1));
            if (emit)
            {
                partRanks[at] = min;
                partRanks.Slice(at + 2, count - at - 2).CopyTo(partRanks.Slice(at + 1));
            }

            count--;
        }
    }

    /// <summary>The heap-based merge; returns the number of tokens.</summary>
    private static int MergeLarge(BpeRankTable ranks, scoped ReadOnlySpan<byte> buffer, int start, int length, ref TokenIdBuffer output, bool emit)
    {
        const int Removed = -1;
        int[] rented = ArrayPool<int>.Shared.Rent(4 * length);
        ulong[] rentedHeap = ArrayPool<ulong>.Shared.Rent(3 * length);
        try
        {
            Span<int> next = rented.AsSpan(0, length);
            Span<int> previous = rented.AsSpan(length, length);
            Span<int> pairRanks = rented.AsSpan(2 * length, length);
            Span<int> partRanks = rented.AsSpan(3 * length, length);
            var heap = new MinHeap(rentedHeap);
            for (int i = 0; i < length; i++)
            {
                next[i] = i + 1;
                previous[i] = i - 1;
                partRanks[i] = emit ? ranks.GetByteRank(buffer[start + i]) : 0;
                int rank = i + 1 < length ? ranks.GetPairRank(buffer[start + i], buffer[start + i + 1]) : BpeRankTable.NotFound;
                pairRanks[i] = rank;
                if (rank != BpeRankTable.NotFound)
                {
                    heap.Push(((ulong)(uint)rank << 32) | (uint)i);
                }
            }

            int count = length;
            while (heap.Count > 0)
            {
                ulong top = heap.Pop();
                int rank = (int)(top >> 32);
                int at = (int)(uint)top;
                if (pairRanks[at] != rank)
                {
                    continue; // stale: the part was merged away or its right neighbour changed
                }

                int right = next[at];
                int afterRight = next[right];
                partRanks[at] = rank;
                pairRanks[right] = Removed;
                next[at] = afterRight;
                if (afterRight < length)
                {
                    previous[afterRight] = at;
                }

                count--;
                int newRank = afterRight < length ? ranks.GetRank(buffer, start + at, next[afterRight] - at) : BpeRankTable.NotFound;
                pairRanks[at] = newRank;
                if (newRank != BpeRankTable.NotFound)
                {
                    heap.Push(((ulong)(uint)newRank << 32) | (uint)at);
                }

                int left = previous[at];
                if (left >= 0)
                {
                    int leftRank = ranks.GetRank(buffer, start + left, afterRight - left);
                    pairRanks[left] = leftRank;
                    if (leftRank != BpeRankTable.NotFound)
                    {
                        heap.Push(((ulong)(uint)leftRank << 32) | (uint)left);
                    }
                }
            }

            if (emit)
            {
                for (int i = 0; i < length; i = next[i])
                {
                    output.Add(partRanks[i]);
                }
            }

            return count;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rentedHeap);
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>A binary min-heap of (rank, position) keys over a pooled array.</summary>
    private ref struct MinHeap(ulong[] items)
    {
        private readonly Span<ulong> _items = items;

        public int Count { get; private set; }

        public void Push(ulong item)
        {
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (_items[parent] <= item)
                {
                    break;
                }

                _items[i] = _items[parent];
                i = parent;
            }

            _items[i] = item;
        }

        public ulong Pop()
        {
            ulong top = _items[0];
            ulong last = _items[--Count];
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= Count)
                {
                    break;
                }

                if (child + 1 < Count && _items[child + 1] < _items[child])
                {
                    child++;
                }

                if (_items[child] >= last)
                {
                    break;
                }

                _items[i] = _items[child];
                i = child;
            }

            _items[i] = last;
            return top;
        }
    }
}
