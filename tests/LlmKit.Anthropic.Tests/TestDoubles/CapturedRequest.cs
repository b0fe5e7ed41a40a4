using System.Text.Json;

namespace LlmKit.Anthropic.Tests.TestDoubles;

/// <summary>A request as the fake handler saw it.</summary>
public sealed record CapturedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? ContentType, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}
