namespace LlmKit;

/// <summary>The formats the knowledge service reads.</summary>
public enum KnowledgeDocumentFormat
{
    /// <summary>Plain text (<c>.txt</c>, <c>.text</c>): chunked at sentence and paragraph boundaries.</summary>
    PlainText,

    /// <summary>Markdown (<c>.md</c>, <c>.markdown</c>): one section per heading, code blocks kept whole.</summary>
    Markdown,

    /// <summary>PDF (<c>.pdf</c>): the text of each page, read with PdfPig; each chunk knows its page.</summary>
    Pdf,
}
