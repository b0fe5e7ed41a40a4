namespace LlmKit;

/// <summary>Settings of an <see cref="AnthropicChatClient"/>. <see cref="ToString"/> never shows the key.</summary>
public sealed class AnthropicClientOptions
{
    /// <summary>The environment variable read when <see cref="ApiKey"/> is not set: <c>ANTHROPIC_API_KEY</c>.</summary>
    public const string ApiKeyEnvironmentVariable = "ANTHROPIC_API_KEY";

    /// <summary>The API address used when <see cref="BaseUrl"/> is not set: <c>https://api.anthropic.com/</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.anthropic.com/");

    /// <summary>The <c>anthropic-version</c> header sent by default: <c>2023-06-01</c>.</summary>
    public const string DefaultAnthropicVersion = "2023-06-01";

    /// <summary>The <c>max_tokens</c> sent when neither the call nor the model registry gives one: 4096.</summary>
    public const int DefaultMaxOutputTokensValue = 4096;

    /// <summary>
    /// Gets or sets the API key (sent as <c>x-api-key</c>); <see langword="null"/> reads the
    /// <c>ANTHROPIC_API_KEY</c> environment variable. Defaults to <see langword="null"/>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the base address of the API, without <c>/v1</c> (an address that already ends in
    /// <c>/v1</c> is accepted too); <see langword="null"/> uses <c>https://api.anthropic.com/</c>.
    /// Defaults to <see langword="null"/>.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Gets or sets the model used when a call names none, or <see langword="null"/>. Defaults to <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>
    /// Gets or sets extra HTTP headers sent with every request (for example <c>anthropic-beta</c>); they
    /// replace LlmKit's own headers of the same name. Defaults to none.
    /// </summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the <c>anthropic-version</c> header. Defaults to <c>2023-06-01</c>.</summary>
    public string AnthropicVersion { get; set; } = DefaultAnthropicVersion;

    /// <summary>
    /// Gets or sets the <c>max_tokens</c> sent when the call sets no <c>ChatOptions.MaxOutputTokens</c> and the
    /// model registry knows no output limit for the model. Anthropic requires the field. Defaults to 4096.
    /// </summary>
    public int DefaultMaxOutputTokens { get; set; } = DefaultMaxOutputTokensValue;

    /// <summary>
    /// Gets or sets how <c>ChatOptions.Reasoning</c> is sent: adaptive thinking with an effort level, or
    /// thinking with a token budget. Defaults to <see cref="AnthropicThinkingStyle.Auto"/> (budgets for the
    /// models that predate adaptive thinking, adaptive thinking for every other model).
    /// </summary>
    public AnthropicThinkingStyle ThinkingStyle { get; set; } = AnthropicThinkingStyle.Auto;

    /// <summary>Returns the address and default model, never the key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
        => $"Anthropic at {BaseUrl ?? DefaultBaseUrl}{(DefaultModel is null ? string.Empty : ", model " + DefaultModel)}{(string.IsNullOrEmpty(ApiKey) ? string.Empty : ", api key set")}";
}
