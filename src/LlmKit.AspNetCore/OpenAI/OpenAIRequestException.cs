namespace LlmKit.AspNetCore.OpenAI;

/// <summary>Thrown while reading a request that cannot be served; carries the OpenAI error to answer with.</summary>
internal sealed class OpenAIRequestException(OpenAIError error) : Exception(error.Message)
{
    public OpenAIError Error { get; } = error;
}
