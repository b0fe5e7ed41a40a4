namespace LlmKit;

/// <summary>Marks a service collection in which the <c>Gemini</c> provider type is already registered.</summary>
internal sealed class GeminiProviderTypeMarker;
