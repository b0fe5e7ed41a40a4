namespace LlmKit;

/// <summary>A document that cannot be read; its message is the reason the ingestion report gives.</summary>
internal sealed class DocumentUnreadableException(string reason) : Exception(reason);
