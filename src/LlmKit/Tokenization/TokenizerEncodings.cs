using System.Diagnostics.CodeAnalysis;

namespace LlmKit;

/// <summary>
/// Maps OpenAI model ids to the tiktoken encoding their tokenizer uses.
/// </summary>
/// <remarks>
/// Matching is by prefix and ignores case, so dated snapshots and variants follow their family
/// (<c>gpt-4o-2024-08-06</c>, <c>gpt-4.1-mini</c>, <c>o3-mini</c>). A fine-tuned id (<c>ft:gpt-4o-mini:org::id</c>) and
/// a provider-qualified id (<c>openai/gpt-4o</c>, <c>azure/gpt-4o</c>) resolve through their base model.
/// <list type="bullet">
/// <item><description><c>o200k_base</c>: <c>gpt-4o*</c>, <c>chatgpt-4o*</c>, <c>gpt-4.1*</c>, <c>gpt-4.5*</c>, <c>gpt-5*</c>, <c>o1*</c>, <c>o3*</c>, <c>o4*</c>.</description></item>
/// <item><description><c>cl100k_base</c>: <c>gpt-4*</c> (other than the above), <c>gpt-3.5*</c>, <c>gpt-35*</c> (Azure), <c>text-embedding-3*</c>, <c>text-embedding-ada-002</c>, <c>davinci-002</c>, <c>babbage-002</c>.</description></item>
/// </list>
/// </remarks>
public static class TokenizerEncodings
{
    /// <summary>The name of the <c>o200k_base</c> encoding.</summary>
    public const string O200kBase = "o200k_base";

    /// <summary>The name of the <c>cl100k_base</c> encoding.</summary>
    public const string Cl100kBase = "cl100k_base";

    // Longer prefixes first: "gpt-4o" before "gpt-4".
    private static readonly (string Prefix, bool Exact, string Encoding)[] s_prefixes =
    [
        ("gpt-4o", false, O200kBase),
        ("chatgpt-4o", false, O200kBase),
        ("gpt-4.1", false, O200kBase),
        ("gpt-4.5", false, O200kBase),
        ("gpt-5", false, O200kBase),
        ("o1", true, O200kBase),
        ("o1-", false, O200kBase),
        ("o3", true, O200kBase),
        ("o3-", false, O200kBase),
        ("o4", true, O200kBase),
        ("o4-", false, O200kBase),
        ("gpt-4", false, Cl100kBase),
        ("gpt-3.5", false, Cl100kBase),
        ("gpt-35", false, Cl100kBase),
        ("text-embedding-3", false, Cl100kBase),
        ("text-embedding-ada-002", true, Cl100kBase),
        ("davinci-002", true, Cl100kBase),
        ("babbage-002", true, Cl100kBase),
    ];

    /// <summary>Gets the encoding name of a model.</summary>
    /// <param name="modelId">The model id, for example <c>gpt-4o-mini</c>.</param>
    /// <param name="encodingName">The encoding name (<see cref="O200kBase"/> or <see cref="Cl100kBase"/>), or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if the model is known; <see langword="false"/> for any other id (for example a non-OpenAI model).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelId"/> is <see langword="null"/>.</exception>
    public static bool TryGetEncodingName(string modelId, [NotNullWhen(true)] out string? encodingName)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ReadOnlySpan<char> id = modelId.AsSpan().Trim();
        int slash = id.LastIndexOf('/');
        if (slash >= 0)
        {
            id = id[(slash + 1)..];
        }

        if (id.StartsWith("ft:", StringComparison.OrdinalIgnoreCase))
        {
            id = id[3..];
            int colon = id.IndexOf(':');
            if (colon >= 0)
            {
                id = id[..colon];
            }
        }

        foreach (var (prefix, exact, encoding) in s_prefixes)
        {
            if (exact ? id.Equals(prefix, StringComparison.OrdinalIgnoreCase) : id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                encodingName = encoding;
                return true;
            }
        }

        encodingName = null;
        return false;
    }

    /// <summary>Gets the encoding name of a model, or <see langword="null"/> when the model is not known.</summary>
    /// <param name="modelId">The model id, for example <c>gpt-4.1</c>.</param>
    /// <returns>The encoding name, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelId"/> is <see langword="null"/>.</exception>
    public static string? GetEncodingName(string modelId) => TryGetEncodingName(modelId, out string? name) ? name : null;
}
