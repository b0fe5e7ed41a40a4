using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An estimate of a non-OpenAI model's token count: the <c>o200k_base</c> count (with OpenAI's chat overheads) times a
/// per-provider factor, rounded up. The pipeline serves it as the <see cref="ITokenCounter"/> of Anthropic, Gemini,
/// Llama, Mistral and other models whose tokenizers are not public; <see cref="IsExact"/> is <see langword="false"/>.
/// For exact counts use the provider's count endpoint (<see cref="IExactTokenCounter"/>, Anthropic and Gemini).
/// </summary>
/// <remarks>
/// <para>The factors were not measured against the providers here (that needs their paid APIs); they come from what
/// the providers publish, rounded towards over-counting, because budgets reserve on the estimate and settle on the
/// real count:</para>
/// <list type="bullet">
/// <item><description>Anthropic <see cref="AnthropicFactor"/> (1.20): Anthropic's Claude Opus 4.7 migration guide says its
/// tokenizer uses roughly 1.0 to 1.35 times as many tokens as earlier Claude models for the same text; an independent
/// count with Anthropic's count endpoint (claudecodecamp.com, "I measured Claude 4.7's new tokenizer") found English
/// at 4.33 characters per token for Opus 4.6 and 3.60 for Opus 4.7, against about 4 for OpenAI's tokenizers
/// (OpenAI's help centre: a token is about 4 characters of English).</description></item>
/// <item><description>Gemini <see cref="GeminiFactor"/> (1.10): Google's Gemini API documentation ("Understand and count
/// tokens", ai.google.dev/gemini-api/docs/tokens) says a token is about 4 characters and 100 tokens about 60 to 80 English
/// words, where OpenAI's rule of thumb is about 75 words per 100 tokens.</description></item>
/// <item><description>Every other provider (Llama, Mistral, DeepSeek...) <see cref="DefaultFactor"/> (1.15): no
/// published comparison; a safety margin over o200k.</description></item>
/// </list>
/// </remarks>
public sealed class CalibratedTokenCounter : ITokenCounter
{
    /// <summary>The factor for Anthropic (Claude) models: 1.20.</summary>
    public const double AnthropicFactor = 1.20;

    /// <summary>The factor for Google Gemini and Gemma models: 1.10.</summary>
    public const double GeminiFactor = 1.10;

    /// <summary>The factor for models of any other provider: 1.15.</summary>
    public const double DefaultFactor = 1.15;

    private readonly ITokenCounter _baseCounter;
    private readonly long _perMille;

    /// <summary>Initializes a new instance that scales <paramref name="baseCounter"/>'s counts by <paramref name="factor"/>.</summary>
    /// <param name="baseCounter">The counter whose counts are scaled (normally <see cref="TiktokenTokenizer.O200kBase"/>).</param>
    /// <param name="factor">The factor, between 0.1 and 10.</param>
    /// <param name="family">The provider family the estimate is for, shown in <see cref="Name"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    public CalibratedTokenCounter(ITokenCounter baseCounter, double factor, string family)
    {
        ArgumentNullException.ThrowIfNull(baseCounter);
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        if (!(factor >= 0.1 && factor <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The calibration factor must be between 0.1 and 10.");
        }

        _baseCounter = baseCounter;
        Factor = factor;
        _perMille = (long)Math.Round(factor * 1000, MidpointRounding.AwayFromZero);
        Family = family;
        Name = string.Create(CultureInfo.InvariantCulture, $"{baseCounter.Name} x {factor} ({family} estimate)");
    }

    /// <summary>Gets the factor applied to the base counts.</summary>
    public double Factor { get; }

    /// <summary>Gets the provider family (<c>anthropic</c>, <c>gemini</c>, or the provider's name).</summary>
    public string Family { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets <see langword="false"/>: counts are estimates.</summary>
    public bool IsExact => false;

    /// <summary>Returns the estimate for a model of <paramref name="provider"/> (a registry provider such as <c>anthropic</c>, <c>gemini</c>, <c>mistral</c>).</summary>
    /// <param name="provider">The provider family.</param>
    /// <returns>An o200k-based estimate with the provider's factor.</returns>
    public static CalibratedTokenCounter ForProvider(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        string family = provider.ToLowerInvariant();
        double factor = family switch
        {
            "anthropic" => AnthropicFactor,
            "gemini" or "vertex_ai" or "google" => GeminiFactor,
            _ => DefaultFactor,
        };
        return new CalibratedTokenCounter(TiktokenTokenizer.O200kBase, factor, family);
    }

    /// <summary>Guesses the provider family from a model id when the registry does not know it (<c>claude-*</c> is Anthropic, <c>gemini-*</c> Google...).</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The family: <c>anthropic</c>, <c>gemini</c>, <c>meta</c>, <c>mistral</c> or <c>other</c>.</returns>
    public static string FamilyOf(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (modelId.Contains("claude", StringComparison.OrdinalIgnoreCase))
        {
            return "anthropic";
        }

        if (modelId.Contains("gemini", StringComparison.OrdinalIgnoreCase) || modelId.Contains("gemma", StringComparison.OrdinalIgnoreCase))
        {
            return "gemini";
        }

        if (modelId.Contains("llama", StringComparison.OrdinalIgnoreCase))
        {
            return "meta";
        }

        return modelId.Contains("mistral", StringComparison.OrdinalIgnoreCase) || modelId.Contains("mixtral", StringComparison.OrdinalIgnoreCase)
            ? "mistral"
            : "other";
    }

    /// <inheritdoc/>
    public int CountTokens(ReadOnlySpan<char> text) => Scale(_baseCounter.CountTokens(text));

    /// <inheritdoc/>
    public int CountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null) => Scale(_baseCounter.CountTokens(messages, options));

    /// <summary>count × factor rounded up, in integers (the factor to three decimals) so 10 × 1.2 is 12, not 13.</summary>
    private int Scale(int count) => (int)Math.Min(int.MaxValue, ((count * _perMille) + 999) / 1000);
}
