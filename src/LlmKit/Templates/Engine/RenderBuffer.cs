using System.Buffers;

namespace LlmKit;

/// <summary>
/// The growable character buffer a render writes into: one per thread, reused from render to render, so rendering
/// allocates nothing for its working text. Its arrays come from <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
internal sealed class RenderBuffer
{
    /// <summary>A buffer this large (in characters) goes back to the pool after its render instead of staying with the thread.</summary>
    public const int MaxRetainedLength = 128 * 1024;

    private char[] _chars;

    public RenderBuffer(int capacity)
    {
        _chars = ArrayPool<char>.Shared.Rent(capacity);
    }

    /// <summary>Gets or sets the number of characters written.</summary>
    public int Length { get; set; }

    /// <summary>Gets the capacity in characters.</summary>
    public int Capacity => _chars.Length;

    /// <summary>Returns written characters.</summary>
    public ReadOnlySpan<char> Slice(int start, int length) => _chars.AsSpan(start, length);

    public void Append(string? text)
    {
        if (text is not null)
        {
            Append(text.AsSpan());
        }
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (text.Length > _chars.Length - Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    /// <summary>Writes UTF-8 text (valid UTF-8, as in a parsed JSON document) as UTF-16.</summary>
    public void AppendUtf8(ReadOnlySpan<byte> utf8)
    {
        var span = GetSpan(System.Text.Encoding.UTF8.GetMaxCharCount(utf8.Length));
        Length += System.Text.Encoding.UTF8.GetChars(utf8, span);
    }

    /// <summary>Writes a number or other span-formattable value with the invariant culture, without an intermediate string.</summary>
    public void AppendFormatted<T>(T value)
        where T : ISpanFormattable
    {
        int charsWritten;
        while (!value.TryFormat(_chars.AsSpan(Length), out charsWritten, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            Grow(Math.Max(64, _chars.Length - Length + 1));
        }

        Length += charsWritten;
    }

    /// <summary>Returns a span of at least <paramref name="count"/> free characters after the written ones; commit what was used with <see cref="Advance"/>.</summary>
    public Span<char> GetSpan(int count)
    {
        if (count > _chars.Length - Length)
        {
            Grow(count);
        }

        return _chars.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    /// <summary>Gives the array back to the pool; the buffer must not be used afterwards.</summary>
    public void Release()
    {
        var chars = _chars;
        _chars = [];
        Length = 0;
        ArrayPool<char>.Shared.Return(chars);
    }

    private void Grow(int needed)
    {
        int size = Math.Max(_chars.Length * 2, Length + needed);
        var larger = ArrayPool<char>.Shared.Rent(size);
        _chars.AsSpan(0, Length).CopyTo(larger);
        var old = _chars;
        _chars = larger;
        if (old.Length > 0)
        {
            ArrayPool<char>.Shared.Return(old);
        }
    }
}
