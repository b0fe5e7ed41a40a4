namespace LlmKit;

/// <summary>
/// How one OpenAI-compatible server differs from OpenAI's own Chat Completions API: its default address,
/// how it authenticates, which field holds the output limit and the reasoning text, and which optional
/// fields it accepts. Use a built-in profile or derive one with a <c>with</c> expression.
/// </summary>
public sealed record OpenAICompatibilityProfile
{
    /// <summary>Gets the profile name, also the provider type name in configuration (for example <c>OllamaOpenAI</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the provider name reported in telemetry (<c>gen_ai.provider.name</c>).</summary>
    public required string ProviderName { get; init; }

    /// <summary>Gets the default base address (ending in <c>/</c>), or <see langword="null"/> when the caller must give one (Azure).</summary>
    public Uri? DefaultBaseUrl { get; init; }

    /// <summary>Gets the environment variable the API key is read from when none is configured, or <see langword="null"/>.</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>Gets a value indicating whether an API key is required. Defaults to <see langword="true"/>; local servers need none.</summary>
    public bool RequiresApiKey { get; init; } = true;

    /// <summary>Gets the header the key is sent in: <c>Authorization</c> (as <c>Bearer</c>, the default) or <c>api-key</c> (Azure).</summary>
    public string AuthHeader { get; init; } = "Authorization";

    /// <summary>Gets the request field for the output limit: <c>max_completion_tokens</c> (the default) or <c>max_tokens</c>.</summary>
    public string MaxTokensField { get; init; } = "max_completion_tokens";

    /// <summary>Gets the request field for the seed: <c>seed</c> (the default) or <c>random_seed</c> (Mistral).</summary>
    public string SeedField { get; init; } = "seed";

    /// <summary>Gets a value indicating whether the <c>developer</c> role is accepted; otherwise developer messages are sent as <c>system</c>. Defaults to <see langword="false"/>.</summary>
    public bool SupportsDeveloperRole { get; init; }

    /// <summary>Gets a value indicating whether <c>stream_options.include_usage</c> is accepted. Defaults to <see langword="true"/>.</summary>
    public bool SupportsStreamOptions { get; init; } = true;

    /// <summary>Gets a value indicating whether <c>reasoning_effort</c> is accepted. Defaults to <see langword="true"/>.</summary>
    public bool SupportsReasoningEffort { get; init; } = true;

    /// <summary>Gets a value indicating whether requests go to Azure deployment URLs (<c>openai/deployments/{model}/chat/completions?api-version=...</c>). Defaults to <see langword="false"/>.</summary>
    public bool UsesAzureDeploymentUrls { get; init; }

    /// <summary>OpenAI itself: <c>https://api.openai.com/v1/</c>, <c>OPENAI_API_KEY</c>, <c>max_completion_tokens</c>, developer role.</summary>
    public static OpenAICompatibilityProfile OpenAI { get; } = new()
    {
        Name = "OpenAI",
        ProviderName = "openai",
        DefaultBaseUrl = new Uri("https://api.openai.com/v1/"),
        ApiKeyEnvironmentVariable = "OPENAI_API_KEY",
        SupportsDeveloperRole = true,
    };

    /// <summary>Azure OpenAI: <c>api-key</c> header, deployment URLs with <c>api-version</c>, <c>AZURE_OPENAI_API_KEY</c>; the base address (<c>https://{resource}.openai.azure.com/</c>) is required.</summary>
    public static OpenAICompatibilityProfile AzureOpenAI { get; } = new()
    {
        Name = "AzureOpenAI",
        ProviderName = "azure.ai.openai",
        ApiKeyEnvironmentVariable = "AZURE_OPENAI_API_KEY",
        AuthHeader = "api-key",
        SupportsDeveloperRole = true,
        UsesAzureDeploymentUrls = true,
    };

    /// <summary>
    /// Ollama's OpenAI-compatible endpoint: <c>http://127.0.0.1:11434/v1/</c>, no key, <c>max_tokens</c>, reasoning in
    /// <c>reasoning</c>. Provider type <c>OllamaOpenAI</c>; Ollama's native API is <c>AddOllama()</c> and type <c>Ollama</c>.
    /// </summary>
    public static OpenAICompatibilityProfile OllamaOpenAI { get; } = new()
    {
        Name = "OllamaOpenAI",
        ProviderName = "ollama",
        DefaultBaseUrl = new Uri("http://127.0.0.1:11434/v1/"),
        RequiresApiKey = false,
        MaxTokensField = "max_tokens",
    };

    /// <summary>vLLM: <c>http://127.0.0.1:8000/v1/</c>, no key, <c>max_tokens</c>, reasoning in <c>reasoning_content</c>.</summary>
    public static OpenAICompatibilityProfile Vllm { get; } = new()
    {
        Name = "vLLM",
        ProviderName = "vllm",
        DefaultBaseUrl = new Uri("http://127.0.0.1:8000/v1/"),
        RequiresApiKey = false,
        MaxTokensField = "max_tokens",
    };

    /// <summary>The llama.cpp server: <c>http://127.0.0.1:8080/v1/</c>, no key, <c>max_tokens</c>, reasoning in <c>reasoning_content</c>.</summary>
    public static OpenAICompatibilityProfile LlamaCpp { get; } = new()
    {
        Name = "LlamaCpp",
        ProviderName = "llama.cpp",
        DefaultBaseUrl = new Uri("http://127.0.0.1:8080/v1/"),
        RequiresApiKey = false,
        MaxTokensField = "max_tokens",
    };

    /// <summary>LM Studio: <c>http://127.0.0.1:1234/v1/</c>, no key, <c>max_tokens</c>.</summary>
    public static OpenAICompatibilityProfile LMStudio { get; } = new()
    {
        Name = "LMStudio",
        ProviderName = "lmstudio",
        DefaultBaseUrl = new Uri("http://127.0.0.1:1234/v1/"),
        RequiresApiKey = false,
        MaxTokensField = "max_tokens",
    };

    /// <summary>Groq: <c>https://api.groq.com/openai/v1/</c>, <c>GROQ_API_KEY</c>.</summary>
    public static OpenAICompatibilityProfile Groq { get; } = new()
    {
        Name = "Groq",
        ProviderName = "groq",
        DefaultBaseUrl = new Uri("https://api.groq.com/openai/v1/"),
        ApiKeyEnvironmentVariable = "GROQ_API_KEY",
    };

    /// <summary>Together AI: <c>https://api.together.xyz/v1/</c>, <c>TOGETHER_API_KEY</c>, <c>max_tokens</c>.</summary>
    public static OpenAICompatibilityProfile Together { get; } = new()
    {
        Name = "Together",
        ProviderName = "together_ai",
        DefaultBaseUrl = new Uri("https://api.together.xyz/v1/"),
        ApiKeyEnvironmentVariable = "TOGETHER_API_KEY",
        MaxTokensField = "max_tokens",
    };

    /// <summary>OpenRouter: <c>https://openrouter.ai/api/v1/</c>, <c>OPENROUTER_API_KEY</c>, <c>max_tokens</c>, reasoning in <c>reasoning</c>.</summary>
    public static OpenAICompatibilityProfile OpenRouter { get; } = new()
    {
        Name = "OpenRouter",
        ProviderName = "openrouter",
        DefaultBaseUrl = new Uri("https://openrouter.ai/api/v1/"),
        ApiKeyEnvironmentVariable = "OPENROUTER_API_KEY",
        MaxTokensField = "max_tokens",
    };

    /// <summary>Mistral: <c>https://api.mistral.ai/v1/</c>, <c>MISTRAL_API_KEY</c>, <c>max_tokens</c>, <c>random_seed</c>, no <c>stream_options</c> (usage comes in the last chunk anyway).</summary>
    public static OpenAICompatibilityProfile Mistral { get; } = new()
    {
        Name = "Mistral",
        ProviderName = "mistral_ai",
        DefaultBaseUrl = new Uri("https://api.mistral.ai/v1/"),
        ApiKeyEnvironmentVariable = "MISTRAL_API_KEY",
        MaxTokensField = "max_tokens",
        SeedField = "random_seed",
        SupportsStreamOptions = false,
        SupportsReasoningEffort = false,
    };

    /// <summary>DeepSeek: <c>https://api.deepseek.com/v1/</c>, <c>DEEPSEEK_API_KEY</c>, <c>max_tokens</c>, reasoning in <c>reasoning_content</c>.</summary>
    public static OpenAICompatibilityProfile DeepSeek { get; } = new()
    {
        Name = "DeepSeek",
        ProviderName = "deepseek",
        DefaultBaseUrl = new Uri("https://api.deepseek.com/v1/"),
        ApiKeyEnvironmentVariable = "DEEPSEEK_API_KEY",
        MaxTokensField = "max_tokens",
        SupportsReasoningEffort = false,
    };

    /// <summary>Any other OpenAI-compatible server: no default address (set <see cref="OpenAIConnectionOptions.BaseUrl"/>), key optional, <c>max_tokens</c>.</summary>
    public static OpenAICompatibilityProfile Custom { get; } = new()
    {
        Name = "OpenAICompatible",
        ProviderName = "openai_compatible",
        RequiresApiKey = false,
        MaxTokensField = "max_tokens",
        SupportsReasoningEffort = false,
    };

    /// <summary>Gets every built-in profile.</summary>
    public static IReadOnlyList<OpenAICompatibilityProfile> BuiltIn { get; } =
        [OpenAI, AzureOpenAI, OllamaOpenAI, Vllm, LlamaCpp, LMStudio, Groq, Together, OpenRouter, Mistral, DeepSeek, Custom];
}
