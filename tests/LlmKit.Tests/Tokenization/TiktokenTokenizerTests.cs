using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Tokenization;

public sealed class TiktokenTokenizerTests
{
    // Ids produced by the reference implementation, the npm package tiktoken 1.0.22 (encode_ordinary).
    public static TheoryData<string, string, int[]> KnownTexts => new()
    {
        { "o200k_base", "hello world", [24912, 2375] },
        { "o200k_base", "Hello, world!", [13225, 11, 2375, 0] },
        { "o200k_base", "HELLOworld", [111642, 2699, 24169] },
        { "o200k_base", "helloWorld", [24912, 13046] },
        { "o200k_base", "I'LL BE BACK", [40, 6, 7454, 11303, 57510] },
        { "o200k_base", "    indented\n\tcode();\r\n", [271, 1383, 23537, 198, 86873, 2825] },
        { "o200k_base", "def f(x):\n    return x ** 2  # square\n", [1314, 285, 4061, 1883, 271, 622, 1215, 6240, 220, 17, 220, 1069, 13749, 198] },
        { "o200k_base", "東京は日本の首都です。", [108713, 5205, 9048, 3385, 15425, 12232, 15121, 788] },
        { "o200k_base", "Привет, мир!", [23881, 131903, 11, 37934, 0] },
        { "o200k_base", "😀🎉👍🏽 👨‍👩‍👧", [84083, 71344, 231, 82514, 52622, 121, 61138, 101, 2524, 28823, 102, 2524, 28823, 100] },
        { "o200k_base", "𝐇𝐞𝐥𝐥𝐨 𝟏𝟐𝟑", [91362, 229, 91362, 252, 91362, 98, 91362, 98, 91362, 101, 220, 43120, 253, 237, 43120, 253, 238, 43120, 253, 239] },
        { "o200k_base", "12345678", [7633, 19354, 4388] },
        { "o200k_base", "a     b", [64, 257, 287] },
        { "o200k_base", "naïve café", [1503, 9954, 737, 30469] },
        { "cl100k_base", "hello world", [15339, 1917] },
        { "cl100k_base", "Hello, world!", [9906, 11, 1917, 0] },
        { "cl100k_base", "HELLOworld", [51812, 1623, 14957] },
        { "cl100k_base", "helloWorld", [15339, 10343] },
        { "cl100k_base", "I'LL BE BACK", [40, 6, 4178, 7354, 33182] },
        { "cl100k_base", "    indented\n\tcode();\r\n", [262, 1280, 16243, 198, 44443, 1679] },
        { "cl100k_base", "def f(x):\n    return x ** 2  # square\n", [755, 282, 2120, 997, 262, 471, 865, 3146, 220, 17, 220, 674, 9518, 198] },
        { "cl100k_base", "東京は日本の首都です。", [14276, 109, 47653, 15682, 9080, 22656, 16144, 61075, 72368, 38641, 1811] },
        { "cl100k_base", "Привет, мир!", [54745, 28089, 8341, 11, 11562, 78746, 0] },
        { "cl100k_base", "😀🎉👍🏽 👨‍👩‍👧", [76460, 222, 9468, 236, 231, 9468, 239, 235, 9468, 237, 121, 62904, 101, 378, 235, 9468, 239, 102, 378, 235, 9468, 239, 100] },
        { "cl100k_base", "𝐇𝐞𝐥𝐥𝐨 𝟏𝟐𝟑", [57352, 238, 229, 57352, 238, 252, 57352, 238, 98, 57352, 238, 98, 57352, 238, 101, 220, 57352, 253, 237, 57352, 253, 238, 57352, 253, 239] },
        { "cl100k_base", "12345678", [4513, 10961, 2495] },
        { "cl100k_base", "a     b", [64, 257, 293] },
        { "cl100k_base", "naïve café", [3458, 38672, 588, 53050] },
    };

    public static TheoryData<string> Encodings => new() { TokenizerEncodings.O200kBase, TokenizerEncodings.Cl100kBase };

    [Theory]
    [MemberData(nameof(KnownTexts))]
    public void Encode_KnownText_ReturnsReferenceIds(string encoding, string text, int[] expected)
    {
        Assert.Equal(expected, TiktokenTokenizer.GetEncoding(encoding).Encode(text));
    }

    [Theory]
    [MemberData(nameof(KnownTexts))]
    public void CountTokens_KnownText_ReturnsReferenceCount(string encoding, string text, int[] expected)
    {
        Assert.Equal(expected.Length, TiktokenTokenizer.GetEncoding(encoding).CountTokens(text));
    }

    [Theory]
    [MemberData(nameof(KnownTexts))]
    public void Decode_ReferenceIds_ReturnsText(string encoding, string text, int[] ids)
    {
        Assert.Equal(text, TiktokenTokenizer.GetEncoding(encoding).Decode(ids));
    }

    [Theory]
    [InlineData("o200k_base", new[] { 27, 91, 419, 1440, 919, 91, 29 })]
    [InlineData("cl100k_base", new[] { 27, 91, 8862, 728, 428, 91, 29 })]
    public void Encode_SpecialTokenTextByDefault_EncodesItAsPlainText(string encoding, int[] expected)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);

        Assert.Equal(expected, tokenizer.Encode("<|endoftext|>"));
        Assert.Equal(expected.Length, tokenizer.CountTokens("<|endoftext|>"));
    }

    [Fact]
    public void Encode_SpecialTokensAllowed_ReturnsSpecialIds()
    {
        Assert.Equal([199_999, 3686], TiktokenTokenizer.O200kBase.Encode("<|endoftext|>hi", allowSpecialTokens: true));
        Assert.Equal([100_257, 6151, 100_258], TiktokenTokenizer.Cl100kBase.Encode("<|endoftext|>hi<|fim_prefix|>", allowSpecialTokens: true));
    }

    [Fact]
    public void Encode_Cl100kOnlySpecialTokenInO200k_StaysPlainText()
    {
        var ids = TiktokenTokenizer.O200kBase.Encode("<|fim_prefix|>", allowSpecialTokens: true);

        Assert.DoesNotContain(ids, id => id > 199_997);
        Assert.Equal("<|fim_prefix|>", TiktokenTokenizer.O200kBase.Decode(ids));
    }

    [Theory]
    [InlineData("o200k_base", 3251)]
    [InlineData("cl100k_base", 5809)]
    public void Encode_LoneSurrogate_EncodesAsReplacementCharacter(string encoding, int replacementId)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);

        Assert.Equal([replacementId], tokenizer.Encode("\ud800"));
        Assert.Equal([87, replacementId, 88], tokenizer.Encode("x\udc00y"));
        Assert.Equal("x\ufffdy", tokenizer.Decode(tokenizer.Encode("x\udc00y")));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_EmptyText_ReturnsNoIds(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);

        Assert.Empty(tokenizer.Encode(string.Empty));
        Assert.Equal(0, tokenizer.CountTokens(string.Empty));
        Assert.Equal(string.Empty, tokenizer.Decode([]));
    }

    [Fact]
    public void Encode_ConcurrentCallers_ReturnSameIdsAsOneCaller()
    {
        var tokenizer = TiktokenTokenizer.O200kBase;
        string[] texts = Enumerable.Range(0, 200).Select(i => $"Text {i}: {new string('x', i * 7)} 東京 {i * i} 😀").ToArray();
        int[][] expected = texts.Select(t => tokenizer.EncodeToArray(t)).ToArray();
        int[][] actual = new int[texts.Length][];

        Parallel.For(0, texts.Length, i => actual[i] = tokenizer.EncodeToArray(texts[i]));

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void CountTokens_ShortAndLongTexts_DoesNotAllocate(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        string shortText = "The quick brown fox jumps over the lazy dog. 東京 😀";
        string longText = string.Concat(Enumerable.Repeat(shortText + " supercalifragilisticexpialidocious" + new string('a', 300) + "\n", 200));
        int total = tokenizer.CountTokens(shortText) + tokenizer.CountTokens(longText);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            total += tokenizer.CountTokens(shortText) + tokenizer.CountTokens(longText);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(total > 0);
    }

    [Fact]
    public void TryCountTokens_WithinLimit_ReturnsTrueAndCount()
    {
        Assert.True(TiktokenTokenizer.O200kBase.TryCountTokens("hello world", 2, out int count));
        Assert.Equal(2, count);
    }

    [Fact]
    public void TryCountTokens_OverLimit_ReturnsFalseWithCountAboveLimit()
    {
        Assert.False(TiktokenTokenizer.O200kBase.TryCountTokens("hello world, how are you today?", 3, out int count));
        Assert.True(count > 3);
    }

    [Fact]
    public void TryCountTokens_NegativeLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TiktokenTokenizer.O200kBase.TryCountTokens("x", -1, out _));
    }

    [Fact]
    public void Decode_SpecialTokenIds_ReturnsTheirText()
    {
        Assert.Equal("<|endoftext|>a<|endofprompt|>", TiktokenTokenizer.O200kBase.Decode([199_999, 64, 200_018]));
        Assert.Equal("<|fim_middle|>", TiktokenTokenizer.Cl100kBase.Decode([100_259]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(199_998)]
    [InlineData(200_019)]
    public void Decode_IdOutsideEncoding_Throws(int id)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TiktokenTokenizer.O200kBase.Decode([id]));
    }

    [Fact]
    public void Decode_NullTokens_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TiktokenTokenizer.O200kBase.Decode(null!));
    }

    [Fact]
    public void Decode_HalfOfACharacter_ReturnsReplacementCharacter()
    {
        // cl100k_base splits U+1F600 into two tokens: [76460, 222].
        Assert.Equal("\ufffd", TiktokenTokenizer.Cl100kBase.Decode([76460]));
        Assert.Equal([0xF0, 0x9F, 0x98], TiktokenTokenizer.Cl100kBase.DecodeToBytes([76460]));
    }

    [Theory]
    [InlineData(false, "hello")]
    [InlineData(true, " world")]
    public void Truncate_TooLong_KeepsStartOrEnd(bool fromEnd, string expected)
    {
        Assert.Equal(expected, TiktokenTokenizer.O200kBase.Truncate("hello world", 1, fromEnd));
    }

    [Fact]
    public void Truncate_AlreadyWithinLimit_ReturnsSameText()
    {
        string text = "hello world";

        Assert.Same(text, TiktokenTokenizer.O200kBase.Truncate(text, 2));
        Assert.Same(text, TiktokenTokenizer.O200kBase.Truncate(text, 100, fromEnd: true));
    }

    [Fact]
    public void Truncate_ZeroTokens_ReturnsEmpty()
    {
        Assert.Equal(string.Empty, TiktokenTokenizer.O200kBase.Truncate("hello", 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncate_CharacterSplitAcrossTokens_NeverSplitsIt(bool fromEnd)
    {
        // In cl100k_base each U+1F600 is two tokens, so 3 tokens hold one and a half emoji.
        string kept = TiktokenTokenizer.Cl100kBase.Truncate("😀😀", 3, fromEnd);

        Assert.Equal("😀", kept);
    }

    [Fact]
    public void Truncate_CombiningSequence_KeepsItWhole()
    {
        // "e" + U+0301 is one text element but two tokens in cl100k_base.
        Assert.Equal(2, TiktokenTokenizer.Cl100kBase.CountTokens("e\u0301"));

        Assert.Equal("ab ", TiktokenTokenizer.Cl100kBase.Truncate("ab e\u0301", 2));
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, " tail")]
    public void Truncate_TextElementLongerThanLimit_DropsItWhole(bool fromEnd, string expected)
    {
        // One text element of 2,001 chars (a letter and 2,000 combining marks) spans far more than 10 tokens.
        string text = "Z" + string.Concat(Enumerable.Repeat("\u0301\u0302", 1000)) + " tail";

        Assert.Equal(expected, TiktokenTokenizer.O200kBase.Truncate(text, 10, fromEnd));
    }

    [Fact]
    public void Truncate_NegativeLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TiktokenTokenizer.O200kBase.Truncate("x", -1));
    }

    [Fact]
    public void Truncate_NullText_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TiktokenTokenizer.O200kBase.Truncate(null!, 1));
    }

    [Theory]
    [InlineData("o200k_base", 124)]
    [InlineData("cl100k_base", 129)]
    public void CountTokens_CookbookMessages_MatchesPublishedCount(string encoding, int expected)
    {
        // "How to count tokens with tiktoken" (OpenAI cookbook): 124 for gpt-4o and gpt-4o-mini, 129 for gpt-4 and gpt-3.5-turbo.
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
            new(ChatRole.System, "New synergies will help drive top-line growth.") { AuthorName = "example_user" },
            new(ChatRole.System, "Things working well together will increase revenue.") { AuthorName = "example_assistant" },
            new(ChatRole.System, "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.") { AuthorName = "example_user" },
            new(ChatRole.System, "Let's talk later when we're less busy about how to do better.") { AuthorName = "example_assistant" },
            new(ChatRole.User, "This late pivot means we don't have time to boil the ocean for the client deliverable."),
        ];

        Assert.Equal(expected, TiktokenTokenizer.GetEncoding(encoding).CountTokens(messages));
    }

    [Theory]
    [InlineData("o200k_base", 101)]
    [InlineData("cl100k_base", 105)]
    public void CountTokens_CookbookMessagesWithTools_MatchesPublishedCount(string encoding, int expected)
    {
        // The cookbook's tool example: 101 for gpt-4o and gpt-4o-mini, 105 for gpt-4 and gpt-3.5-turbo.
        using var schema = JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "location": { "type": "string", "description": "The city and state, e.g. San Francisco, CA" },
                "unit": { "type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"] }
              },
              "required": ["location"]
            }
            """);
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("get_current_weather", "Get the current weather in a given location", schema.RootElement.Clone())],
        };
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are a helpful assistant that can answer to questions about the weather."),
            new(ChatRole.User, "What's the weather like in San Francisco?"),
        ];

        Assert.Equal(expected, TiktokenTokenizer.GetEncoding(encoding).CountTokens(messages, options));
    }

    [Fact]
    public void CountTokens_Instructions_CountAsLeadingSystemMessage()
    {
        var tokenizer = TiktokenTokenizer.O200kBase;
        ChatMessage[] user = [new(ChatRole.User, "Hi")];
        ChatMessage[] systemAndUser = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")];

        Assert.Equal(tokenizer.CountTokens(systemAndUser), tokenizer.CountTokens(user, new ChatOptions { Instructions = "Be brief." }));
    }

    [Fact]
    public void CountTokens_EmptyConversation_CountsReplyPriming()
    {
        Assert.Equal(3, TiktokenTokenizer.O200kBase.CountTokens(Array.Empty<ChatMessage>()));
    }

    [Fact]
    public void CountTokens_FunctionCallAndResult_CountNameArgumentsAndResult()
    {
        var tokenizer = TiktokenTokenizer.O200kBase;
        ChatMessage[] messages =
        [
            new(ChatRole.Assistant, [new FunctionCallContent("call1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call1", "18 degrees and sunny")]),
        ];
        int expected = 3 + tokenizer.CountTokens("assistant") + tokenizer.CountTokens("get_weather") + tokenizer.CountTokens("{\"city\":\"Paris\"}")
            + 3 + tokenizer.CountTokens("tool") + tokenizer.CountTokens("18 degrees and sunny")
            + 3;

        Assert.Equal(expected, tokenizer.CountTokens(messages));
    }

    [Fact]
    public void CountTokens_NullMessages_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TiktokenTokenizer.O200kBase.CountTokens((IEnumerable<ChatMessage>)null!));
    }

    [Theory]
    [InlineData("o200k_base", 199_998, "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d")]
    [InlineData("cl100k_base", 100_256, "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")]
    public void EmbeddedRanks_RebuiltAsTiktokenFile_HaveOpenAIsPublishedSha256(string encoding, int ranks, string sha256)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var file = new StringBuilder();
        for (int rank = 0; rank < ranks; rank++)
        {
            file.Append(Convert.ToBase64String(tokenizer.DecodeToBytes([rank]))).Append(' ').Append(rank).Append('\n');
        }

        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(file.ToString()))));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.DecodeToBytes([ranks]));
    }

    [Fact]
    public void SharedInstances_Properties_DescribeEncodings()
    {
        Assert.Same(TiktokenTokenizer.O200kBase, TiktokenTokenizer.GetEncoding("O200K_BASE"));
        Assert.Equal("o200k_base", TiktokenTokenizer.O200kBase.Name);
        Assert.Equal("cl100k_base", TiktokenTokenizer.Cl100kBase.ToString());
        Assert.True(TiktokenTokenizer.O200kBase.IsExact);
        Assert.Equal(200_018, TiktokenTokenizer.O200kBase.MaxTokenValue);
        Assert.Equal(100_276, TiktokenTokenizer.Cl100kBase.MaxTokenValue);
        Assert.Equal(2, TiktokenTokenizer.O200kBase.SpecialTokens.Count);
        Assert.Equal(100_260, TiktokenTokenizer.Cl100kBase.SpecialTokens["<|fim_suffix|>"]);
    }

    [Fact]
    public void GetEncoding_UnknownName_Throws()
    {
        Assert.Throws<ArgumentException>(() => TiktokenTokenizer.GetEncoding("p50k_base"));
    }

    [Theory]
    [InlineData("gpt-4o-mini", "o200k_base")]
    [InlineData("gpt-5", "o200k_base")]
    [InlineData("gpt-4", "cl100k_base")]
    [InlineData("gpt-3.5-turbo", "cl100k_base")]
    public void ForModel_KnownModel_ReturnsSharedTokenizer(string model, string encoding)
    {
        Assert.Same(TiktokenTokenizer.GetEncoding(encoding), TiktokenTokenizer.ForModel(model));
    }

    [Fact]
    public void ForModel_UnknownModel_ReturnsNull()
    {
        Assert.Null(TiktokenTokenizer.ForModel("claude-sonnet-4"));
    }

    [Fact]
    public void Tokenizer_AsInterfaces_CountsAndEncodes()
    {
        ITokenizer tokenizer = TiktokenTokenizer.O200kBase;
        ITokenCounter counter = tokenizer;

        Assert.Equal(2, counter.CountTokens("hello world"));
        Assert.Equal([24912, 2375], tokenizer.Encode("hello world"));
    }
}
