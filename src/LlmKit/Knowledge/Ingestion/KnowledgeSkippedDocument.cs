namespace LlmKit;

/// <summary>A document the knowledge service did not ingest, and why.</summary>
/// <param name="Source">The document's source (path, URL or id).</param>
/// <param name="Reason">Why it was skipped: an unknown type, an encrypted or unreadable PDF, no text.</param>
public sealed record KnowledgeSkippedDocument(string Source, string Reason);
