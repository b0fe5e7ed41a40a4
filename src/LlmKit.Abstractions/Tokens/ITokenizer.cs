namespace LlmKit;

/// <summary>A byte-pair-encoding tokenizer that encodes, decodes and truncates as well as counts.</summary>
public interface ITokenizer : ITokenCounter
{
    /// <summary>Encodes a text into token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">Whether special tokens such as <c>&lt;|endoftext|&gt;</c> are encoded as such; by default they are plain text.</param>
    /// <returns>The token ids.</returns>
    IReadOnlyList<int> Encode(ReadOnlySpan<char> text, bool allowSpecialTokens = false);

    /// <summary>Decodes token ids back into text.</summary>
    /// <param name="tokens">The token ids.</param>
    /// <returns>The text.</returns>
    string Decode(IEnumerable<int> tokens);

    /// <summary>Returns at most <paramref name="maxTokens"/> tokens of <paramref name="text"/>, keeping its start or its end.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxTokens">The most tokens to keep.</param>
    /// <param name="fromEnd"><see langword="true"/> to keep the end of the text; by default the start is kept.</param>
    /// <returns>The truncated text, never splitting a character.</returns>
    string Truncate(string text, int maxTokens, bool fromEnd = false);
}
