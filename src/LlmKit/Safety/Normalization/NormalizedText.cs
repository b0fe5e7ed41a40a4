using System.Buffers;

namespace LlmKit;

/// <summary>A normalised copy of a text in pooled buffers, with the original offset of every character.</summary>
internal struct NormalizedText : IDisposable
{
    private char[]? _chars;
    private int[]? _map;
    private int _length;

    /// <summary>Gets the normalised text.</summary>
    public readonly ReadOnlySpan<char> Text => _chars.AsSpan(0, _length);

    /// <summary>Gets the original offset of each normalised character, plus the original length at the end.</summary>
    public readonly ReadOnlySpan<int> Map => _map.AsSpan(0, _length + 1);

    public static NormalizedText Rent(int capacity) => new()
    {
        _chars = ArrayPool<char>.Shared.Rent(capacity),
        _map = ArrayPool<int>.Shared.Rent(capacity + 1),
    };

    public void Append(char c, int originalIndex)
    {
        Ensure(1);
        _chars![_length] = c;
        _map![_length] = originalIndex;
        _length++;
    }

    public void AppendIdentity(ReadOnlySpan<char> text, int start, int end)
    {
        int count = end - start;
        Ensure(count);
        text[start..end].CopyTo(_chars.AsSpan(_length));
        var map = _map.AsSpan(_length, count);
        for (int k = 0; k < map.Length; k++)
        {
            map[k] = start + k;
        }

        _length += count;
    }

    public void Complete(int originalLength)
    {
        Ensure(1);
        _map![_length] = originalLength;
    }

    /// <summary>Maps a span of the normalised text back to the original.</summary>
    public readonly (int Start, int Length) MapSpan(int start, int length)
    {
        var map = Map;
        int s = map[start];
        int endIndex = start + length;
        int e = map[endIndex];

        // Characters produced by normalising one run all map to the run's start: extend to the run's end.
        while (endIndex < _length && e == map[endIndex - 1])
        {
            endIndex++;
            e = map[endIndex];
        }

        if (e <= s)
        {
            e = s + 1;
        }

        return (s, e - s);
    }

    public void Dispose()
    {
        if (_chars is not null)
        {
            ArrayPool<char>.Shared.Return(_chars);
            ArrayPool<int>.Shared.Return(_map!);
            _chars = null;
            _map = null;
        }
    }

    private void Ensure(int extra)
    {
        if (_length + extra + 1 <= _chars!.Length && _length + extra + 1 <= _map!.Length)
        {
            return;
        }

        int size = Math.Max((_length + extra + 1) * 2, 64);
        var chars = ArrayPool<char>.Shared.Rent(size);
        var map = ArrayPool<int>.Shared.Rent(size);
        _chars.AsSpan(0, _length).CopyTo(chars);
        _map.AsSpan(0, _length).CopyTo(map);
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_map!);
        _chars = chars;
        _map = map;
    }
}
