namespace LlmKit.Http;

/// <summary>Reads an error response of one wire format and returns the exception to throw.</summary>
internal delegate Task<Exception> ProviderErrorReader(HttpResponseMessage response, string? apiKey, TimeProvider timeProvider, CancellationToken cancellationToken);
