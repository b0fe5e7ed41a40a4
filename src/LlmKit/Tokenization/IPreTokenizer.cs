namespace LlmKit;

/// <summary>
/// Splits UTF-8 text into the pieces that tiktoken's pattern (<c>pat_str</c>) matches, one after the other.
/// Implemented by structs so the byte-pair loops are specialised per pattern without virtual calls.
/// </summary>
internal interface IPreTokenizer
{
    /// <summary>Finds the end of the piece that starts at <paramref name="start"/>.</summary>
    /// <param name="utf8">Well-formed UTF-8 text.</param>
    /// <param name="start">The start of the piece, a code point boundary before the end of the text.</param>
    /// <returns>The exclusive end of the piece, greater than <paramref name="start"/>.</returns>
    static abstract int NextPieceEnd(ReadOnlySpan<byte> utf8, int start);
}
