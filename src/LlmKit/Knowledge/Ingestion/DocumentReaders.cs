using System.Text;
using Markdig;
using Markdig.Syntax;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using UglyToad.PdfPig.Exceptions;

namespace LlmKit;

/// <summary>Turns a document's content into sections: the whole text, Markdown sections by heading, PDF pages.</summary>
internal static class DocumentReaders
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePreciseSourceLocation().Build();

    /// <summary>Reads a document; throws <see cref="DocumentUnreadableException"/> with a reason for the ingestion report.</summary>
    public static (IReadOnlyList<DocumentSection> Sections, string? Title) Read(KnowledgeDocument document)
    {
        switch (document.Format)
        {
            case KnowledgeDocumentFormat.PlainText:
                {
                    string text = TextOf(document);
                    return ([new DocumentSection(text, 0, text.Length, null, null, [])], null);
                }

            case KnowledgeDocumentFormat.Markdown:
                return ReadMarkdown(TextOf(document));
            case KnowledgeDocumentFormat.Pdf:
                return ReadPdf(document);
            default:
                throw new DocumentUnreadableException($"unknown format {document.Format}");
        }
    }

    private static string TextOf(KnowledgeDocument document)
    {
        if (document.Text is { } text)
        {
            return text;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(document.Content!.Value.Span).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new DocumentUnreadableException("not valid UTF-8 text");
        }
    }

    private static (IReadOnlyList<DocumentSection>, string?) ReadMarkdown(string text)
    {
        MarkdownDocument markdown = Markdown.Parse(text, Pipeline);
        var sections = new List<DocumentSection>();
        var headings = new List<(int Level, string Text)>();
        string? title = null;
        int sectionStart = 0;
        string? sectionHeading = null;
        var atomic = new List<(int, int)>();

        void Close(int end)
        {
            if (end > sectionStart)
            {
                sections.Add(new DocumentSection(text, sectionStart, end - sectionStart, sectionHeading, null, [.. atomic]));
            }

            atomic.Clear();
        }

        foreach (Block block in markdown.Descendants<Block>())
        {
            if (block is HeadingBlock heading)
            {
                Close(heading.Span.Start);
                string headingText = heading.Inline is null ? "" : string.Concat(heading.Inline.Descendants<Markdig.Syntax.Inlines.LiteralInline>().Select(l => l.Content.ToString())).Trim();
                headings.RemoveAll(h => h.Level >= heading.Level);
                headings.Add((heading.Level, headingText));
                title ??= heading.Level == 1 ? headingText : null;
                sectionStart = heading.Span.Start;
                sectionHeading = string.Join(" > ", headings.Select(h => h.Text));
            }
            else if (block is CodeBlock code && code.Span.Length > 0)
            {
                int end = Math.Min(text.Length, code.Span.End + 1);
                atomic.Add((code.Span.Start, end - code.Span.Start));
            }
        }

        Close(text.Length);
        return (sections, title);
    }

    private static (IReadOnlyList<DocumentSection>, string?) ReadPdf(KnowledgeDocument document)
    {
        if (document.Content is not { } content)
        {
            throw new DocumentUnreadableException("a PDF must be given as bytes");
        }

        try
        {
            using PdfDocument pdf = PdfDocument.Open(content.ToArray());
            var sections = new List<DocumentSection>();
            foreach (var page in pdf.GetPages())
            {
                string text = ContentOrderTextExtractor.GetText(page);
                if (!string.IsNullOrWhiteSpace(text))
                {
                    sections.Add(new DocumentSection(text, 0, text.Length, null, page.Number, []));
                }
            }

            string? title = pdf.Information.Title;
            return (sections, string.IsNullOrWhiteSpace(title) ? null : title);
        }
        catch (PdfDocumentEncryptedException)
        {
            throw new DocumentUnreadableException("encrypted PDF (PdfPig cannot read it without its password)");
        }
        catch (Exception e) when (e is UglyToad.PdfPig.Core.PdfDocumentFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or InvalidCastException or NullReferenceException or FormatException or EndOfStreamException)
        {
            throw new DocumentUnreadableException($"unreadable PDF ({e.GetType().Name}: {e.Message})");
        }
    }
}
