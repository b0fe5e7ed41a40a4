namespace LlmKit;

/// <summary>A stretch of a document chunked on its own: a Markdown section or a PDF page.</summary>
/// <param name="Text">The document text the section lies in (the whole text, or the page's text).</param>
/// <param name="Start">Where the section starts in <paramref name="Text"/>.</param>
/// <param name="Length">The section's length.</param>
/// <param name="Heading">The section's heading path; <see langword="null"/> when none.</param>
/// <param name="Page">The page, from 1; <see langword="null"/> when the document has no pages.</param>
/// <param name="AtomicSpans">Spans (start, length) in <paramref name="Text"/> never split if they fit in a chunk: code blocks.</param>
internal sealed record DocumentSection(string Text, int Start, int Length, string? Heading, int? Page, IReadOnlyList<(int Start, int Length)> AtomicSpans);
