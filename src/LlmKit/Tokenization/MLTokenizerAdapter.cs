using Microsoft.Extensions.AI;
using MLTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace LlmKit;

/// <summary>
/// An <see cref="ITokenizer"/> over any <see cref="Microsoft.ML.Tokenizers.Tokenizer"/> (a Llama or other
/// SentencePiece model, a BPE model, a tiktoken encoding LlmKit does not ship), so budgets, history fitting and the
/// conversation service count a local model's tokens exactly. Register it for the models it serves with
/// <c>kit.AddTokenizer("llama*", tokenizer)</c>.
/// </summary>
/// <remarks>
/// <para>Text counts are the wrapped tokenizer's own, with its normalization and pre-tokenization. Chat requests add the
/// OpenAI cookbook's per-message and per-tool overheads (see <see cref="TiktokenTokenizer.CountTokens(IEnumerable{ChatMessage}, ChatOptions?)"/>),
/// which approximate the chat template of other model families within a few tokens per message.</para>
/// <para>Special tokens are whatever the wrapped tokenizer makes of them: Microsoft.ML.Tokenizers' tokenizers recognise
/// special-token text (<c>&lt;|endoftext|&gt;</c>) in the input as special tokens, so <c>allowSpecialTokens</c> of
/// <see cref="Encode(ReadOnlySpan{char}, bool)"/> does not change the result, where LlmKit's own
/// <see cref="TiktokenTokenizer"/> treats such text as plain text unless allowed.</para>
/// <para>Thread-safe when the wrapped tokenizer is (Microsoft.ML.Tokenizers' tokenizers are).</para>
/// </remarks>
public sealed class MLTokenizerAdapter : ITokenizer
{
    private const int FunctionInitTokens = 7;

    private readonly MLTokenizer _tokenizer;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="tokenizer">The Microsoft.ML.Tokenizers tokenizer to wrap.</param>
    /// <param name="name">The name shown in <see cref="Name"/>; <see langword="null"/> uses the tokenizer's type name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    public MLTokenizerAdapter(MLTokenizer tokenizer, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        Name = string.IsNullOrWhiteSpace(name) ? tokenizer.GetType().Name : name;
    }

    /// <summary>Gets the wrapped tokenizer.</summary>
    public MLTokenizer InnerTokenizer => _tokenizer;

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets <see langword="true"/>: text is counted by the model's own tokenizer.</summary>
    public bool IsExact => true;

    /// <inheritdoc/>
    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.CountTokens(text);

    /// <summary>Counts the prompt tokens of a chat request: the wrapped tokenizer's counts plus the OpenAI cookbook's message and tool overheads.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options (instructions and tools count too), or <see langword="null"/> (the default).</param>
    /// <returns>The token count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public int CountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ChatTokenCounting.Count(this, messages, options, FunctionInitTokens);
    }

    /// <summary>Encodes a text into token ids with the wrapped tokenizer.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">Ignored: the wrapped tokenizer decides how special-token text is encoded (see the remarks on the type). Defaults to <see langword="false"/>.</param>
    /// <returns>The token ids.</returns>
    public IReadOnlyList<int> Encode(ReadOnlySpan<char> text, bool allowSpecialTokens = false)
        => text.IsEmpty ? [] : _tokenizer.EncodeToIds(text);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is <see langword="null"/>.</exception>
    public string Decode(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return _tokenizer.Decode(tokens);
    }

    /// <summary>
    /// Returns the longest start (or end) of <paramref name="text"/> whose token count, as the wrapped tokenizer counts it,
    /// is at most <paramref name="maxTokens"/>, never splitting a surrogate pair.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxTokens">The most tokens to keep, zero or more.</param>
    /// <param name="fromEnd"><see langword="true"/> to keep the end of the text; by default (<see langword="false"/>) the start is kept.</param>
    /// <returns><paramref name="text"/> itself when it fits; otherwise a substring of it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is negative.</exception>
    public string Truncate(string text, int maxTokens, bool fromEnd = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (text.Length == 0 || _tokenizer.CountTokens(text) <= maxTokens)
        {
            return text;
        }

        if (maxTokens == 0)
        {
            return string.Empty;
        }

        // The tokenizer's own cut, on the text without normalization so its index points into the text; the kept part is
        // then counted as a whole (normalized), and a binary search over lengths shortens it when re-encoding merged
        // differently or normalization added tokens.
        int length = fromEnd
            ? text.Length - _tokenizer.GetIndexByTokenCountFromEnd(text, maxTokens, out _, out _, considerNormalization: false)
            : _tokenizer.GetIndexByTokenCount(text, maxTokens, out _, out _, considerNormalization: false);
        length = Math.Clamp(length, 0, text.Length);
        if (Fits(text, length, maxTokens, fromEnd))
        {
            return Cut(text, length, fromEnd);
        }

        int low = 0, high = length - 1;
        while (low < high)
        {
            int mid = low + ((high - low + 1) / 2);
            if (Fits(text, mid, maxTokens, fromEnd))
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return Cut(text, low, fromEnd);
    }

    private bool Fits(string text, int length, int maxTokens, bool fromEnd)
        => length == 0 || _tokenizer.CountTokens(Cut(text, length, fromEnd)) <= maxTokens;

    private static string Cut(string text, int length, bool fromEnd)
    {
        // Never keep half of a surrogate pair.
        if (fromEnd)
        {
            int start = text.Length - length;
            if (start > 0 && start < text.Length && char.IsLowSurrogate(text[start]) && char.IsHighSurrogate(text[start - 1]))
            {
                start++;
            }

            return text[start..];
        }

        if (length > 0 && length < text.Length && char.IsHighSurrogate(text[length - 1]) && char.IsLowSurrogate(text[length]))
        {
            length--;
        }

        return text[..length];
    }
}
