using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// OpenAI's byte-pair-encoding tokenizer (tiktoken) for the <c>o200k_base</c> and <c>cl100k_base</c> encodings:
/// the same token ids as tiktoken for every input, without a native dependency or a download.
/// </summary>
/// <remarks>
/// <para>
/// Instances are immutable and thread-safe; use the shared <see cref="O200kBase"/> and <see cref="Cl100kBase"/>
/// (loaded on first use from ranks embedded in the assembly, see PROVENANCE.md) or <see cref="ForModel(string)"/>.
/// </para>
/// <para>
/// Text is encoded as UTF-8 first, so a lone surrogate counts as U+FFFD, as it does in tiktoken's Python and
/// JavaScript bindings. Special tokens such as <c>&lt;|endoftext|&gt;</c> are plain text unless explicitly allowed.
/// Counting does not allocate: it works in stack memory and, for long texts, arrays from
/// <see cref="ArrayPool{T}.Shared"/>.
/// </para>
/// </remarks>
public sealed class TiktokenTokenizer : ITokenizer
{
    private const int StackChars = 512;

    private static readonly Lazy<TiktokenTokenizer> s_o200k = new(() => new TiktokenTokenizer(TiktokenEncodingDefinition.O200kBase), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<TiktokenTokenizer> s_cl100k = new(() => new TiktokenTokenizer(TiktokenEncodingDefinition.Cl100kBase), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly TiktokenEncodingDefinition _definition;
    private readonly BpeRankTable _ranks;
    private readonly FrozenDictionary<int, byte[]> _specialBytes;

    private TiktokenTokenizer(TiktokenEncodingDefinition definition)
    {
        _definition = definition;
        _ranks = BpeRankTable.Load(definition);
        SpecialTokens = definition.SpecialTokens.ToFrozenDictionary(t => t.Text, t => t.Id, StringComparer.Ordinal);
        _specialBytes = definition.SpecialTokens.ToFrozenDictionary(t => t.Id, t => Encoding.UTF8.GetBytes(t.Text));
        MaxTokenValue = Math.Max(definition.RankCount - 1, definition.SpecialTokens.Max(t => t.Id));
    }

    /// <summary>Gets the <c>o200k_base</c> tokenizer (GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o1, o3, o4), loaded on first use.</summary>
    public static TiktokenTokenizer O200kBase => s_o200k.Value;

    /// <summary>Gets the <c>cl100k_base</c> tokenizer (GPT-4, GPT-3.5, text-embedding-3, text-embedding-ada-002), loaded on first use.</summary>
    public static TiktokenTokenizer Cl100kBase => s_cl100k.Value;

    /// <summary>Gets the encoding name: <c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    public string Name => _definition.Name;

    /// <summary>Gets a value indicating whether counts are exact: always <see langword="true"/> for text, which is tokenized exactly as tiktoken does.</summary>
    public bool IsExact => true;

    /// <summary>Gets the special tokens of the encoding and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Gets the largest token id of the encoding, special tokens included (tiktoken's <c>max_token_value</c>).</summary>
    public int MaxTokenValue { get; }

    /// <summary>Gets the tokenizer of an encoding.</summary>
    /// <param name="encodingName"><c>o200k_base</c> or <c>cl100k_base</c> (case-insensitive).</param>
    /// <returns>The shared tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encodingName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The encoding is not supported.</exception>
    public static TiktokenTokenizer GetEncoding(string encodingName)
    {
        ArgumentNullException.ThrowIfNull(encodingName);
        if (string.Equals(encodingName, TokenizerEncodings.O200kBase, StringComparison.OrdinalIgnoreCase))
        {
            return O200kBase;
        }

        if (string.Equals(encodingName, TokenizerEncodings.Cl100kBase, StringComparison.OrdinalIgnoreCase))
        {
            return Cl100kBase;
        }

        throw new ArgumentException($"The encoding '{encodingName}' is not supported; use '{TokenizerEncodings.O200kBase}' or '{TokenizerEncodings.Cl100kBase}'.", nameof(encodingName));
    }

    /// <summary>Gets the tokenizer of an OpenAI model, as mapped by <see cref="TokenizerEncodings"/>.</summary>
    /// <param name="modelId">The model id, for example <c>gpt-4o-mini</c> or <c>gpt-3.5-turbo</c>.</param>
    /// <returns>The shared tokenizer, or <see langword="null"/> when the model is not known.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelId"/> is <see langword="null"/>.</exception>
    public static TiktokenTokenizer? ForModel(string modelId) =>
        TokenizerEncodings.TryGetEncodingName(modelId, out string? encoding) ? GetEncoding(encoding) : null;

    /// <summary>Counts the tokens of a text, treating special tokens as plain text. Does not allocate.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count, equal to the length of <see cref="Encode(ReadOnlySpan{char}, bool)"/>.</returns>
    public int CountTokens(ReadOnlySpan<char> text) => CountCore(text, int.MaxValue);

    /// <summary>
    /// Counts the tokens of a text up to a limit, stopping early once the limit is exceeded; treats special tokens as
    /// plain text. Does not allocate.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxTokens">The most tokens allowed, zero or more.</param>
    /// <param name="count">The token count when it is within <paramref name="maxTokens"/>; otherwise a number greater than <paramref name="maxTokens"/> (the count so far, not the full count).</param>
    /// <returns><see langword="true"/> if the text has at most <paramref name="maxTokens"/> tokens.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is negative.</exception>
    public bool TryCountTokens(ReadOnlySpan<char> text, int maxTokens, out int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        count = CountCore(text, maxTokens);
        return count <= maxTokens;
    }

    /// <summary>
    /// Counts the prompt tokens of a chat request the way the OpenAI cookbook does ("How to count tokens with
    /// tiktoken"): 3 tokens per message plus its role and content, 1 more plus the name for a named message, 3 to
    /// prime the reply, and the cookbook's function-definition overheads for tools.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options, or <see langword="null"/> (the default). <see cref="ChatOptions.Instructions"/> counts as a leading system message and each <see cref="AIFunctionDeclaration"/> in <see cref="ChatOptions.Tools"/> as a tool.</param>
    /// <returns>The estimated prompt token count; exact for plain text messages as in the cookbook's examples.</returns>
    /// <remarks>
    /// Assumptions beyond the cookbook (which covers text messages and flat function parameters): a message's text is
    /// the concatenation of its <see cref="TextContent"/>s; a <see cref="FunctionCallContent"/> counts its name and
    /// its arguments as compact JSON, a <see cref="FunctionResultContent"/> its result as text or compact JSON;
    /// reasoning, images, audio and other content count nothing. For tools, per-function overhead is 7 tokens for
    /// <c>o200k_base</c> and 10 for <c>cl100k_base</c>, each function adds <c>name:description</c> (a final period
    /// dropped), 3 if it has properties, each top-level property 3 plus <c>name:type:description</c>, an enum -3 plus
    /// 3 and the value per item, and the tool list ends with 12. Nested object properties count as their type only.
    /// Tools that are not function declarations (hosted tools) count nothing.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public int CountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ChatTokenCounting.Count(this, messages, options, _definition.FunctionInitTokens);
    }

    /// <summary>Encodes a text into token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">Whether special tokens such as <c>&lt;|endoftext|&gt;</c> are encoded as such; by default (<see langword="false"/>) they are plain text, like tiktoken's <c>encode_ordinary</c>.</param>
    /// <returns>The token ids.</returns>
    public IReadOnlyList<int> Encode(ReadOnlySpan<char> text, bool allowSpecialTokens = false) => EncodeToArray(text, allowSpecialTokens);

    /// <summary>Encodes a text into an array of token ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">Whether special tokens are encoded as such; by default (<see langword="false"/>) they are plain text.</param>
    /// <returns>The token ids.</returns>
    public int[] EncodeToArray(ReadOnlySpan<char> text, bool allowSpecialTokens = false)
    {
        if (text.IsEmpty)
        {
            return [];
        }

        var output = new TokenIdBuffer(stackalloc int[256]);
        try
        {
            if (!allowSpecialTokens)
            {
                EncodeOrdinary(text, ref output);
            }
            else
            {
                EncodeWithSpecialTokens(text, ref output);
            }

            return output.Span.ToArray();
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>Decodes token ids back into text; bytes that do not form valid UTF-8 become U+FFFD.</summary>
    /// <param name="tokens">The token ids; special token ids decode to their text.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id is not part of the encoding.</exception>
    public string Decode(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            int length = DecodeCore(tokens, ref buffer);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes token ids into the raw bytes they stand for (tiktoken's <c>decode_bytes</c>).</summary>
    /// <param name="tokens">The token ids; special token ids decode to their UTF-8 text.</param>
    /// <returns>The bytes, which need not be valid UTF-8 when a multi-byte character is split between tokens.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id is not part of the encoding.</exception>
    public byte[] DecodeToBytes(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            int length = DecodeCore(tokens, ref buffer);
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Returns the longest start (or end) of <paramref name="text"/> that has at most <paramref name="maxTokens"/>
    /// tokens, cut at a token boundary and never inside a text element (a surrogate pair, a combining sequence or
    /// an emoji sequence stays whole). Special tokens are plain text.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxTokens">The most tokens to keep, zero or more.</param>
    /// <param name="fromEnd"><see langword="true"/> to keep the end of the text; by default (<see langword="false"/>) the start is kept.</param>
    /// <returns><paramref name="text"/> itself when it fits; otherwise a substring of it whose token count is at most <paramref name="maxTokens"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is negative.</exception>
    public string Truncate(string text, int maxTokens, bool fromEnd = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (TryCountTokens(text, maxTokens, out _))
        {
            return text;
        }

        int[] tokens = EncodeToArray(text);
        long[] ends = new long[tokens.Length];
        long bytes = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            bytes += _ranks.GetBytes(tokens[i]).Length;
            ends[i] = bytes;
        }

        // Cut after the first (or before the last) `keep` tokens, moved to a text-element boundary. Re-encoding the cut
        // text can (rarely) merge differently, so it is counted again; when it is still too long, the next try cuts
        // strictly closer to its edge, at the nearest token boundary.
        int keep = maxTokens;
        while (keep > 0)
        {
            if (fromEnd)
            {
                long target = ends[tokens.Length - keep - 1];
                (int cut, long cutBytes) = TextElementBoundary(text, target, roundUp: true);
                if (cut == text.Length)
                {
                    break;
                }

                string candidate = text.Substring(cut);
                if (TryCountTokens(candidate, maxTokens, out _))
                {
                    return candidate;
                }

                // Next, keep only the tokens that start after the cut (token i starts where token i - 1 ends).
                int firstAfter = LowerBound(ends, cutBytes + 1) + 1;
                keep = Math.Min(keep - 1, tokens.Length - firstAfter);
            }
            else
            {
                long target = ends[keep - 1];
                (int cut, long cutBytes) = TextElementBoundary(text, target, roundUp: false);
                if (cut == 0)
                {
                    break;
                }

                string candidate = text.Substring(0, cut);
                if (TryCountTokens(candidate, maxTokens, out _))
                {
                    return candidate;
                }

                // Next, keep only the tokens that end before the cut.
                keep = Math.Min(keep - 1, LowerBound(ends, cutBytes));
            }
        }

        return string.Empty;
    }

    /// <summary>Gets the encoding name.</summary>
    /// <returns>The encoding name.</returns>
    public override string ToString() => Name;

    /// <summary>Finds the first index whose value is at least <paramref name="value"/> in an ascending array.</summary>
    private static int LowerBound(long[] values, long value)
    {
        int low = 0, high = values.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (values[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>Finds the text-element boundary at or before (or at or after) a UTF-8 byte offset of a text.</summary>
    /// <returns>The boundary as a char index and as a UTF-8 byte offset.</returns>
    private static (int Index, long Bytes) TextElementBoundary(string text, long byteOffset, bool roundUp)
    {
        long bytes = 0;
        int index = 0;
        while (index < text.Length)
        {
            int elementLength = StringInfo.GetNextTextElementLength(text, index);
            long elementBytes = Encoding.UTF8.GetByteCount(text.AsSpan(index, elementLength));
            if (roundUp ? bytes >= byteOffset : bytes + elementBytes > byteOffset)
            {
                break;
            }

            bytes += elementBytes;
            index += elementLength;
        }

        return (index, bytes);
    }

    private int DecodeCore(IEnumerable<int> tokens, ref byte[] buffer)
    {
        int length = 0;
        foreach (int token in tokens)
        {
            ReadOnlySpan<byte> bytes;
            if ((uint)token < (uint)_ranks.Count)
            {
                bytes = _ranks.GetBytes(token);
            }
            else if (_specialBytes.TryGetValue(token, out byte[]? special))
            {
                bytes = special;
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"The token id {token} is not part of {Name}.");
            }

            if (length + bytes.Length > buffer.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + bytes.Length));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            bytes.CopyTo(buffer.AsSpan(length));
            length += bytes.Length;
        }

        return length;
    }

    private void EncodeWithSpecialTokens(scoped ReadOnlySpan<char> text, ref TokenIdBuffer output)
    {
        while (!text.IsEmpty)
        {
            int found = -1, id = 0, length = 0;
            int from = 0;
            while (found < 0)
            {
                int at = text[from..].IndexOf("<|", StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                at += from;
                foreach (var (special, specialId) in _definition.SpecialTokens)
                {
                    if (text[at..].StartsWith(special, StringComparison.Ordinal))
                    {
                        found = at;
                        id = specialId;
                        length = special.Length;
                        break;
                    }
                }

                from = at + 1;
            }

            if (found < 0)
            {
                EncodeOrdinary(text, ref output);
                return;
            }

            EncodeOrdinary(text[..found], ref output);
            output.Add(id);
            text = text[(found + length)..];
        }
    }

    private void EncodeOrdinary(scoped ReadOnlySpan<char> text, ref TokenIdBuffer output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        byte[]? rented = null;
        Span<byte> buffer = text.Length <= StackChars
            ? stackalloc byte[(StackChars * 3) + BpeRankTable.Padding]
            : (rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text) + BpeRankTable.Padding));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, buffer);
            if (_definition.UsesO200kPattern)
            {
                EncodeUtf8<O200kPreTokenizer>(buffer, length, ref output);
            }
            else
            {
                EncodeUtf8<Cl100kPreTokenizer>(buffer, length, ref output);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private int CountCore(ReadOnlySpan<char> text, int limit)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        byte[]? rented = null;
        Span<byte> buffer = text.Length <= StackChars
            ? stackalloc byte[(StackChars * 3) + BpeRankTable.Padding]
            : (rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text) + BpeRankTable.Padding));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, buffer);
            return _definition.UsesO200kPattern
                ? CountUtf8<O200kPreTokenizer>(buffer, length, limit)
                : CountUtf8<Cl100kPreTokenizer>(buffer, length, limit);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private int CountUtf8<TPreTokenizer>(ReadOnlySpan<byte> buffer, int length, int limit)
        where TPreTokenizer : struct, IPreTokenizer
    {
        Span<int> work = stackalloc int[BytePairEncoder.WorkLength];
        ReadOnlySpan<byte> text = buffer[..length];
        BpeRankTable ranks = _ranks;
        int count = 0;
        for (int start = 0; start < length;)
        {
            int end = TPreTokenizer.NextPieceEnd(text, start);
            int pieceLength = end - start;
            if (pieceLength == 1 || ranks.GetRank(buffer, start, pieceLength) != BpeRankTable.NotFound)
            {
                count++;
            }
            else
            {
                count += BytePairEncoder.Count(ranks, buffer, start, pieceLength, work);
            }

            if (count > limit)
            {
                break;
            }

            start = end;
        }

        return count;
    }

    private void EncodeUtf8<TPreTokenizer>(scoped ReadOnlySpan<byte> buffer, int length, ref TokenIdBuffer output)
        where TPreTokenizer : struct, IPreTokenizer
    {
        Span<int> work = stackalloc int[BytePairEncoder.WorkLength];
        ReadOnlySpan<byte> text = buffer[..length];
        BpeRankTable ranks = _ranks;
        for (int start = 0; start < length;)
        {
            int end = TPreTokenizer.NextPieceEnd(text, start);
            int pieceLength = end - start;
            int rank = pieceLength == 1 ? ranks.GetByteRank(buffer[start]) : ranks.GetRank(buffer, start, pieceLength);
            if (rank != BpeRankTable.NotFound)
            {
                output.Add(rank);
            }
            else
            {
                BytePairEncoder.Encode(ranks, buffer, start, pieceLength, work, ref output);
            }

            start = end;
        }
    }
}
