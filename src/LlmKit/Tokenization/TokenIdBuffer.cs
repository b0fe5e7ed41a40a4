using System.Buffers;

namespace LlmKit;

/// <summary>A growable list of token ids over a caller-provided span, spilling into pooled arrays.</summary>
internal ref struct TokenIdBuffer
{
    private Span<int> _span;
    private int[]? _rented;

    /// <summary>Initializes a new instance of the <see cref="TokenIdBuffer"/> struct.</summary>
    /// <param name="initial">The first storage, usually stack memory.</param>
    public TokenIdBuffer(Span<int> initial)
    {
        _span = initial;
        _rented = null;
        Count = 0;
    }

    /// <summary>Gets the number of ids.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the ids.</summary>
    public readonly ReadOnlySpan<int> Span => _span[..Count];

    /// <summary>Appends an id.</summary>
    /// <param name="id">The id.</param>
    public void Add(int id)
    {
        if (Count == _span.Length)
        {
            Grow();
        }

        _span[Count++] = id;
    }

    /// <summary>Returns the pooled array, if any.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<int>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private void Grow()
    {
        int[] larger = ArrayPool<int>.Shared.Rent(Math.Max(256, _span.Length * 2));
        _span[..Count].CopyTo(larger);
        if (_rented is not null)
        {
            ArrayPool<int>.Shared.Return(_rented);
        }

        _rented = larger;
        _span = larger;
    }
}
