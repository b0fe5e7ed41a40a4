namespace LlmKit;

/// <summary>The fixed facts of a tiktoken encoding: its embedded ranks, pattern and special tokens.</summary>
internal sealed class TiktokenEncodingDefinition
{
    /// <summary><c>o200k_base</c> (GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o-series).</summary>
    public static readonly TiktokenEncodingDefinition O200kBase = new(
        TokenizerEncodings.O200kBase,
        usesO200kPattern: true,
        rankCount: 199_998,
        dataLength: 1_597_677,
        dataSha256: "2018235c3ff2d4aa86f7138e6ede30a83b06d4a68103ea8d6ed6d19876d2dddb",
        specialTokens: [("<|endoftext|>", 199_999), ("<|endofprompt|>", 200_018)],
        functionInitTokens: 7);

    /// <summary><c>cl100k_base</c> (GPT-4, GPT-3.5, text-embedding-3, text-embedding-ada-002).</summary>
    public static readonly TiktokenEncodingDefinition Cl100kBase = new(
        TokenizerEncodings.Cl100kBase,
        usesO200kPattern: false,
        rankCount: 100_256,
        dataLength: 744_095,
        dataSha256: "bc1e4d35b8d967d18b951eaa0e7408421281ca91ac36f2a72b439b824ae5f6f1",
        specialTokens: [("<|endoftext|>", 100_257), ("<|fim_prefix|>", 100_258), ("<|fim_middle|>", 100_259), ("<|fim_suffix|>", 100_260), ("<|endofprompt|>", 100_276)],
        functionInitTokens: 10);

    private TiktokenEncodingDefinition(
        string name,
        bool usesO200kPattern,
        int rankCount,
        int dataLength,
        string dataSha256,
        (string Text, int Id)[] specialTokens,
        int functionInitTokens)
    {
        Name = name;
        UsesO200kPattern = usesO200kPattern;
        RankCount = rankCount;
        DataLength = dataLength;
        DataSha256 = dataSha256;
        SpecialTokens = specialTokens;
        FunctionInitTokens = functionInitTokens;
    }

    /// <summary>Gets the encoding name.</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the encoding uses the o200k pattern (else the cl100k one).</summary>
    public bool UsesO200kPattern { get; }

    /// <summary>Gets the number of ordinary tokens (ranks 0 to <c>RankCount - 1</c>).</summary>
    public int RankCount { get; }

    /// <summary>Gets the length of the decompressed rank data.</summary>
    public int DataLength { get; }

    /// <summary>Gets the SHA-256 (lower-case hex) of the decompressed rank data, as in PROVENANCE.md.</summary>
    public string DataSha256 { get; }

    /// <summary>Gets the manifest resource name of the compressed rank data.</summary>
    public string ResourceName => "LlmKit.Tokenization.Data." + Name + ".bin.br";

    /// <summary>Gets the special tokens and their ids.</summary>
    public IReadOnlyList<(string Text, int Id)> SpecialTokens { get; }

    /// <summary>Gets the per-function overhead of the OpenAI cookbook's tool counting (7 for GPT-4o, 10 for GPT-4 and GPT-3.5).</summary>
    public int FunctionInitTokens { get; }
}
