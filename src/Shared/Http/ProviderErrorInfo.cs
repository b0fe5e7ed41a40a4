namespace LlmKit.Http;

/// <summary>What a provider's error body said, in the provider-neutral shape the error mapper needs.</summary>
internal readonly record struct ProviderErrorInfo(string? Message, string? Code, string? Type, TimeSpan? RetryDelay = null);
