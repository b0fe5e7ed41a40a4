using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace LlmKit.Tools;

/// <summary>
/// Packs OpenAI's <c>.tiktoken</c> rank files (one "base64-token rank" line per token, ranks 0..n-1 in order)
/// into LlmKit's embedded form and writes PROVENANCE.md.
/// </summary>
/// <remarks>
/// Binary form (before compression): the ASCII magic <c>LKTR</c>, a format version byte (1), the token count
/// as a little-endian int32, then one record per rank in rank order: the token's byte length (1..255) followed by
/// its bytes. Ranks are implicit (record index), so the file is canonical: one byte sequence per rank file.
/// The binary form is compressed with Brotli (quality 11, window 24).
/// Usage: <c>RankDataPacker &lt;dir with *.tiktoken&gt; &lt;output dir&gt; &lt;source package&gt; &lt;source version&gt;</c>.
/// </remarks>
internal static class Program
{
    // SHA-256 of OpenAI's published files (openaipublic.blob.core.windows.net/encodings/*.tiktoken).
    private static readonly (string Name, string Sha256)[] Encodings =
    [
        ("cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),
        ("o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
    ];

    private static int Main(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: RankDataPacker <input dir> <output dir> <source package> <source version>");
            return 2;
        }

        string input = args[0], output = args[1], package = args[2], version = args[3];
        Directory.CreateDirectory(output);
        var rows = new List<string>();
        foreach (var (name, expected) in Encodings)
        {
            byte[] original = File.ReadAllBytes(Path.Combine(input, name + ".tiktoken"));
            string originalSha = Hex(SHA256.HashData(original));
            if (originalSha != expected)
            {
                Console.Error.WriteLine($"{name}: SHA-256 {originalSha} differs from OpenAI's published {expected}");
                return 1;
            }

            byte[] binary = ToBinary(original, out int count);
            if (Hex(SHA256.HashData(ToTiktoken(binary))) != expected)
            {
                Console.Error.WriteLine($"{name}: round trip through the binary form does not reproduce the original file");
                return 1;
            }

            byte[] compressed = Compress(binary);
            if (!Decompress(compressed, binary.Length).AsSpan().SequenceEqual(binary))
            {
                Console.Error.WriteLine($"{name}: Brotli round trip failed");
                return 1;
            }

            string outFile = Path.Combine(output, name + ".bin.br");
            File.WriteAllBytes(outFile, compressed);
            string binarySha = Hex(SHA256.HashData(binary));
            string compressedSha = Hex(SHA256.HashData(compressed));
            Console.WriteLine($"{name}: {count} ranks, original {original.Length} B sha256 {originalSha}");
            Console.WriteLine($"{name}: canonical binary {binary.Length} B sha256 {binarySha}");
            Console.WriteLine($"{name}: compressed {compressed.Length} B sha256 {compressedSha} -> {outFile}");
            rows.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| `{name}` | {count} | `data/{name}.tiktoken`, {original.Length} B, `{originalSha}` | {binary.Length} B, `{binarySha}` | `{name}.bin.br`, {compressed.Length} B, `{compressedSha}` |"));
        }

        File.WriteAllText(Path.Combine(output, "PROVENANCE.md"), Provenance(package, version, rows));
        return 0;
    }

    private static byte[] ToBinary(byte[] tiktoken, out int count)
    {
        var tokens = new List<byte[]>();
        foreach (string line in Encoding.ASCII.GetString(tiktoken).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ');
            if (parts.Length != 2 || int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture) != tokens.Count)
            {
                throw new InvalidDataException($"line {tokens.Count + 1}: ranks must be consecutive from 0: '{line}'");
            }

            byte[] token = Convert.FromBase64String(parts[0]);
            if (token.Length is 0 or > 255)
            {
                throw new InvalidDataException($"rank {tokens.Count}: token length {token.Length} is out of range");
            }

            tokens.Add(token);
        }

        count = tokens.Count;
        using var stream = new MemoryStream();
        stream.Write("LKTR"u8);
        stream.WriteByte(1);
        Span<byte> countBytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(countBytes, count);
        stream.Write(countBytes);
        foreach (byte[] token in tokens)
        {
            stream.WriteByte((byte)token.Length);
            stream.Write(token);
        }

        return stream.ToArray();
    }

    private static byte[] ToTiktoken(byte[] binary)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(binary.AsSpan(5));
        var text = new StringBuilder();
        int offset = 9;
        for (int rank = 0; rank < count; rank++)
        {
            int length = binary[offset];
            text.Append(Convert.ToBase64String(binary, offset + 1, length)).Append(' ').Append(rank.ToString(CultureInfo.InvariantCulture)).Append('\n');
            offset += 1 + length;
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Compress(byte[] data)
    {
        byte[] destination = new byte[BrotliEncoder.GetMaxCompressedLength(data.Length)];
        if (!BrotliEncoder.TryCompress(data, destination, out int written, quality: 11, window: 24))
        {
            throw new InvalidOperationException("Brotli compression failed");
        }

        return destination.AsSpan(0, written).ToArray();
    }

    private static byte[] Decompress(byte[] data, int length)
    {
        byte[] destination = new byte[length];
        if (!BrotliDecoder.TryDecompress(data, destination, out int written) || written != length)
        {
            throw new InvalidOperationException("Brotli decompression failed");
        }

        return destination;
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private static string Provenance(string package, string version, List<string> rows) => $"""
        # Provenance of the embedded tokenizer ranks

        The byte-pair-encoding rank files of OpenAI's `cl100k_base` and `o200k_base` encodings, as used by
        `tiktoken`, embedded in `LlmKit` by `TiktokenTokenizer`.

        - Upstream: OpenAI's `tiktoken` rank files (`https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken`
          and `.../o200k_base.tiktoken`), published under the MIT licence (`https://github.com/openai/tiktoken`).
        - Taken from: the npm package `{package}` {version} (`data/cl100k_base.tiktoken`, `data/o200k_base.tiktoken`),
          MIT licence, Copyright (c) 2023-2024 Bazyli Brzoska, which ships them byte-identical to OpenAI's files:
          their SHA-256 equal OpenAI's published hashes (checked by the packer, below).
        - Produced by: `tools/pack-ranks.sh` (runs `npm pack {package}@{version}` and `tools/RankDataPacker`).

        | encoding | ranks | original file (bytes, SHA-256) | canonical binary, decompressed (bytes, SHA-256, checked at load) | embedded Brotli file (bytes, SHA-256) |
        | --- | --- | --- | --- | --- |
        {string.Join("\n", rows)}

        Canonical binary form: ASCII `LKTR`, format version byte `1`, the token count as a little-endian int32, then for
        each rank in order its byte length (one byte) and its bytes. It is compressed with Brotli (quality 11, window 24)
        into `*.bin.br`. At load, `TiktokenTokenizer` decompresses it and checks its length and SHA-256 against the values
        above before use; a test rebuilds the original `.tiktoken` text from the loaded ranks and checks OpenAI's SHA-256.

        Special tokens are not part of the rank files; they are fixed in code as tiktoken defines them:
        `cl100k_base`: `<|endoftext|>` 100257, `<|fim_prefix|>` 100258, `<|fim_middle|>` 100259, `<|fim_suffix|>` 100260,
        `<|endofprompt|>` 100276; `o200k_base`: `<|endoftext|>` 199999, `<|endofprompt|>` 200018.

        ## Licences

        The rank files are distributed under the MIT licence by both their authors and the package they were taken from:

        - tiktoken: Copyright (c) 2025 OpenAI, Shantanu Jain (`https://github.com/openai/tiktoken/blob/main/LICENSE`).
        - gpt-tokenizer: Copyright (c) 2023-2024 Bazyli Brzoska (`LICENSE` in the npm package).

        > Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
        > documentation files (the "Software"), to deal in the Software without restriction, including without limitation
        > the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
        > to permit persons to whom the Software is furnished to do so, subject to the following conditions:
        >
        > The above copyright notice and this permission notice shall be included in all copies or substantial portions
        > of the Software.
        >
        > THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
        > THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        > AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
        > CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        > IN THE SOFTWARE.

        """;
}
