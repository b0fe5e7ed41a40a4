using System.Globalization;
using System.Text;

namespace LlmKit.Benchmarks;

/// <summary>
/// A deterministic mixed corpus for tokenizer throughput: English prose (about 45%), code (20%), CJK (10%),
/// Cyrillic, Greek, Arabic and Devanagari (10%), chat with emoji (5%) and JSON, Markdown and URLs (10%), as
/// documents separated by U+001E. Written to a file so the npm tiktoken script measures the very same text.
/// </summary>
public static class BenchmarkCorpus
{
    /// <summary>The document separator.</summary>
    public const char Separator = '\u001E';

    private static readonly string[] s_words =
    (
        "the of and to in is you that it he was for on are as with his they at be this have from or one had by word but " +
        "not what all were we when your can said there use an each which she do how their if will up other about out many " +
        "then them these so some her would make like him into time has look two more write go see number no way could " +
        "people my than first water been call who oil its now find long down day did get come made may part model token " +
        "budget latency request response provider fallback routing pipeline conversation template context window price " +
        "cache retry stream tool function schema embedding vector knowledge retrieval citation tenant usage ledger policy " +
        "government economy history science nature music science research important different following without between"
    ).Split(' ');

    private static readonly string[] s_contractions = ["don't", "it's", "we're", "they've", "I'm", "you'll", "she'd", "can't", "won't", "isn't"];

    private static readonly string[] s_code =
    [
        "public sealed class {0}Service : I{0}Service",
        "{{",
        "}}",
        "private readonly ILogger<{0}> _logger;",
        "public async Task<{0}Result> Get{0}Async(string id, CancellationToken cancellationToken = default)",
        "var result = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);",
        "if (result is null || result.Count == 0) throw new InvalidOperationException($\"No {1} for {{id}}\");",
        "for (int i = 0; i < items.Length; i++) {{ total += items[i].Price * items[i].Quantity; }}",
        "def {1}_{2}(self, values: list[int]) -> dict[str, float]:",
        "    return {{k: v / max(values) for k, v in zip(keys, values) if v > 0}}",
        "const {1}{0} = async (req, res) => {{ const body = await req.json(); res.status(200).send(body); }};",
        "// TODO({1}): handle the {2} case when the {1} is empty",
        "SELECT id, name, created_at FROM {1}s WHERE tenant_id = @tenant AND deleted = 0 ORDER BY created_at DESC;",
        "<div class=\"{1}-{2}\"><span>{0}</span></div>",
        "    assert {1}.{2}() == {3}, f\"expected {3}, got {{{1}.{2}()}}\"",
    ];

    private static readonly string s_han =
        "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从";

    private static readonly string s_kana = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテト";

    private static readonly string[] s_otherScripts =
    [
        "Привет", "мир", "сегодня", "хорошая", "погода", "программирование", "библиотека", "данные",
        "Καλημέρα", "κόσμε", "γλώσσα", "ιστορία", "مرحبا", "بالعالم", "اللغة", "العربية", "البرمجة",
        "नमस्ते", "दुनिया", "भाषा", "कंप्यूटर", "विज्ञान", "Ελληνικά", "Україна", "Добрий", "день",
    ];

    private static readonly string[] s_emoji = ["😀", "😂", "🎉", "👍", "👍🏽", "🚀", "❤️", "🔥", "🙏", "✨", "🤖", "👨‍👩‍👧", "🇫🇷", "🧠", "✅"];

    /// <summary>Reads the corpus file named by <c>LLMKIT_BENCH_CORPUS</c> when set, else creates the corpus.</summary>
    /// <returns>The corpus text.</returns>
    public static string Load() =>
        Environment.GetEnvironmentVariable("LLMKIT_BENCH_CORPUS") is { Length: > 0 } path && File.Exists(path)
            ? File.ReadAllText(path, Encoding.UTF8)
            : Create();

    /// <summary>Creates the corpus.</summary>
    /// <param name="utf8Bytes">The approximate size in UTF-8 bytes; 10 MB (10,000,000) by default.</param>
    /// <param name="seed">The seed; the default gives the corpus whose numbers are reported.</param>
    /// <returns>The corpus text.</returns>
    public static string Create(int utf8Bytes = 10_000_000, int seed = 20_251_122)
    {
        var random = new Random(seed);
        var text = new StringBuilder(utf8Bytes);
        long bytes = 0;
        while (bytes < utf8Bytes)
        {
            int start = text.Length;
            int kind = random.Next(100);
            if (kind < 45)
            {
                Prose(random, text);
            }
            else if (kind < 65)
            {
                Code(random, text);
            }
            else if (kind < 75)
            {
                Cjk(random, text);
            }
            else if (kind < 85)
            {
                OtherScripts(random, text);
            }
            else if (kind < 90)
            {
                Chat(random, text);
            }
            else
            {
                Structured(random, text);
            }

            text.Append('\n').Append(Separator).Append('\n');
            bytes += Encoding.UTF8.GetByteCount(text.ToString(start, text.Length - start));
        }

        return text.ToString();
    }

    private static string Word(Random random)
    {
        string word = random.Next(20) == 0 ? s_contractions[random.Next(s_contractions.Length)] : s_words[random.Next(s_words.Length)];
        return random.Next(12) == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word;
    }

    private static void Prose(Random random, StringBuilder text)
    {
        for (int paragraph = random.Next(1, 6); paragraph > 0; paragraph--)
        {
            for (int sentence = random.Next(2, 8); sentence > 0; sentence--)
            {
                string first = Word(random);
                text.Append(char.ToUpperInvariant(first[0])).Append(first.AsSpan(1));
                for (int words = random.Next(4, 22); words > 0; words--)
                {
                    text.Append(random.Next(15) == 0 ? ", " : " ");
                    text.Append(random.Next(30) == 0 ? random.Next(1, 100_000).ToString(CultureInfo.InvariantCulture) : Word(random));
                }

                text.Append(random.Next(10) switch { 0 => "? ", 1 => "! ", _ => ". " });
            }

            text.Append("\n\n");
        }
    }

    private static void Code(Random random, StringBuilder text)
    {
        int indent = 0;
        for (int line = random.Next(8, 40); line > 0; line--)
        {
            string template = s_code[random.Next(s_code.Length)];
            string name = char.ToUpperInvariant(s_words[random.Next(s_words.Length)][0]) + s_words[random.Next(s_words.Length)];
            string code = string.Format(CultureInfo.InvariantCulture, template, name, s_words[random.Next(s_words.Length)], s_words[random.Next(s_words.Length)], random.Next(1000));
            indent = code == "}" ? Math.Max(0, indent - 1) : indent;
            text.Append(' ', indent * 4).Append(code).Append(random.Next(8) == 0 ? "\r\n" : "\n");
            indent = code == "{" ? Math.Min(6, indent + 1) : indent;
        }
    }

    private static void Cjk(Random random, StringBuilder text)
    {
        for (int sentence = random.Next(3, 15); sentence > 0; sentence--)
        {
            for (int chars = random.Next(8, 40); chars > 0; chars--)
            {
                text.Append(random.Next(4) == 0 ? s_kana[random.Next(s_kana.Length)] : s_han[random.Next(s_han.Length)]);
            }

            text.Append(random.Next(5) == 0 ? "、" : "。");
            if (random.Next(6) == 0)
            {
                text.Append(' ').Append(Word(random)).Append(' ');
            }
        }

        text.Append('\n');
    }

    private static void OtherScripts(Random random, StringBuilder text)
    {
        for (int words = random.Next(20, 120); words > 0; words--)
        {
            text.Append(s_otherScripts[random.Next(s_otherScripts.Length)]).Append(random.Next(10) == 0 ? ". " : " ");
        }

        text.Append('\n');
    }

    private static void Chat(Random random, StringBuilder text)
    {
        for (int message = random.Next(3, 12); message > 0; message--)
        {
            text.Append(random.Next(2) == 0 ? "user: " : "assistant: ");
            for (int words = random.Next(3, 20); words > 0; words--)
            {
                text.Append(random.Next(5) == 0 ? s_emoji[random.Next(s_emoji.Length)] : Word(random)).Append(' ');
            }

            text.Append('\n');
        }
    }

    private static void Structured(Random random, StringBuilder text)
    {
        text.Append("| id | name | price | url |\n|---:|------|------:|-----|\n");
        for (int row = random.Next(3, 12); row > 0; row--)
        {
            string word = s_words[random.Next(s_words.Length)];
            text.Append(CultureInfo.InvariantCulture, $"| {random.Next(1, 99_999)} | {word} | {random.Next(0, 100_000) / 100.0:0.00} | https://example.com/{word}/{random.Next(1000)}?q={word} |\n");
        }

        text.Append("```json\n{\n");
        for (int field = random.Next(2, 8); field > 0; field--)
        {
            text.Append(CultureInfo.InvariantCulture, $"  \"{s_words[random.Next(s_words.Length)]}\": {{ \"id\": {random.Next(100_000)}, \"enabled\": {(random.Next(2) == 0 ? "true" : "false")}, \"tags\": [\"{Word(random)}\", \"{Word(random)}\"] }},\n");
        }

        text.Append("}\n```\n");
    }
}
