using LlmKit;
using Xunit;

namespace LlmKit.Tests.Knowledge;

public sealed class TextChunkerTests
{
    private static readonly ITokenizer Tokenizer = TiktokenTokenizer.O200kBase;

    private static readonly string[] Words =
    [
        "the", "policy", "applies", "to", "every", "employee", "and", "contractor", "refunds", "are", "paid", "within",
        "thirty", "days", "ünïcödé", "数据", "emoji🙂", "x", "supercalifragilisticexpialidocious", "1234567", new string('z', 300),
    ];

    private static readonly string[] Ends = [" ", " ", " ", ". ", "! ", "? ", ".\n", "\n\n", ", ", "—", ""];

    private static string RandomDocument(Random random)
    {
        var text = new System.Text.StringBuilder();
        int count = random.Next(0, 400);
        for (int i = 0; i < count; i++)
        {
            text.Append(Words[random.Next(Words.Length)]).Append(Ends[random.Next(Ends.Length)]);
        }

        return text.ToString();
    }

    [Fact]
    public void Chunk_AnyText_CoversEveryCharacterWithinTheLimitAndExactPositions()
    {
        // A property over 150 generated documents (fixed seed, so a failure reproduces): words, sentence ends,
        // paragraphs, non-ASCII and words longer than a chunk.
        var random = new Random(22);
        for (int run = 0; run < 150; run++)
        {
            string text = RandomDocument(random);
            int max = random.Next(16, 81);
            int overlap = max / 4;
            var chunks = new TextChunker(Tokenizer, max, overlap).Chunk(text, 0, text.Length);

            // Every character (so every token) of the document lies in some chunk; chunks move forward.
            int covered = 0;
            int previousStart = -1;
            foreach (var (start, length, tokens) in chunks)
            {
                Assert.True(start <= covered, $"gap before {start} (covered up to {covered})");
                Assert.True(start > previousStart);
                covered = Math.Max(covered, start + length);
                previousStart = start;

                // None over the limit, and the recorded count is the exact count of exactly that substring.
                Assert.InRange(tokens, 1, max);
                Assert.Equal(Tokenizer.CountTokens(text.Substring(start, length)), tokens);
            }

            Assert.Equal(text.Length, covered);
        }
    }

    [Fact]
    public void Chunk_SentencesThatFit_EndsChunksAtSentenceBoundaries()
    {
        string sentence = "Refunds are paid within thirty days of the request. ";
        string text = string.Concat(Enumerable.Repeat(sentence, 30));
        var chunks = new TextChunker(Tokenizer, 40, 0).Chunk(text, 0, text.Length);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.EndsWith(". ", text.Substring(c.Start, c.Length), StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.Equal(0, c.Start % sentence.Length));
    }

    [Fact]
    public void Chunk_WithOverlap_NextChunkRepeatsTheLastSentences()
    {
        string text = string.Concat(Enumerable.Range(1, 40).Select(i => $"Sentence number {i} is here. "));
        var chunks = new TextChunker(Tokenizer, 50, 16).Chunk(text, 0, text.Length);

        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start < chunks[i - 1].Start + chunks[i - 1].Length, "consecutive chunks share text");
        }
    }

    [Fact]
    public void Chunk_AtomicSpanThatFits_IsNeverSplit()
    {
        string code = "```csharp\nvar a = 1;\nvar b = 2;\nConsole.WriteLine(a + b);\n```\n";
        string text = "Intro sentence one. Intro sentence two. " + code + "After the code. More text after the code block.";
        int codeStart = text.IndexOf("```", StringComparison.Ordinal);
        var chunks = new TextChunker(Tokenizer, 30, 0).Chunk(text, 0, text.Length, [(codeStart, code.Length)]);

        Assert.Contains(chunks, c => c.Start <= codeStart && c.Start + c.Length >= codeStart + code.Length);
    }
}
