namespace LlmKit;

/// <summary>Settings of an <see cref="OpenAIChatClient"/>. <see cref="ToString"/> never shows the key.</summary>
public sealed class OpenAIConnectionOptions
{
    /// <summary>Gets or sets the compatibility profile. Defaults to <see cref="OpenAICompatibilityProfile.OpenAI"/>.</summary>
    public OpenAICompatibilityProfile Profile { get; set; } = OpenAICompatibilityProfile.OpenAI;

    /// <summary>Gets or sets the API key; <see langword="null"/> reads the profile's environment variable (<c>OPENAI_API_KEY</c> for OpenAI).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the base address, or <see langword="null"/> for the profile's default. A custom address always works.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Gets or sets the model used when a call names none, or <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets extra headers sent with every request. Defaults to none.</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the OpenAI organization id (<c>OpenAI-Organization</c> header), or <see langword="null"/>.</summary>
    public string? Organization { get; set; }

    /// <summary>Gets or sets the OpenAI project id (<c>OpenAI-Project</c> header), or <see langword="null"/>.</summary>
    public string? Project { get; set; }

    /// <summary>Gets or sets the Azure OpenAI <c>api-version</c>. Defaults to <c>2024-10-21</c>.</summary>
    public string AzureApiVersion { get; set; } = "2024-10-21";

    /// <summary>
    /// Gets or sets a value indicating whether streams ask for the final usage chunk
    /// (<c>stream_options.include_usage</c>) where the profile accepts it. Defaults to <see langword="true"/>.
    /// </summary>
    public bool IncludeStreamUsage { get; set; } = true;

    /// <summary>Returns the profile and address, never the key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
        => $"{Profile.Name} at {BaseUrl ?? Profile.DefaultBaseUrl}{(string.IsNullOrEmpty(ApiKey) ? string.Empty : " (api key set)")}";
}
