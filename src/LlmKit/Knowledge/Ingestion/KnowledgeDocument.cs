namespace LlmKit;

/// <summary>A document to ingest: its content (text or bytes), its format and the metadata every chunk of it keeps.</summary>
public sealed record KnowledgeDocument
{
    private KnowledgeDocument(string id, KnowledgeDocumentFormat format, string? text, byte[]? content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        Format = format;
        Text = text;
        Content = content is null ? null : content;
        Source = id;
    }

    /// <summary>Gets the document id, unique per tenant; ingesting the same id again replaces the document.</summary>
    public string Id { get; }

    /// <summary>Gets the document's format.</summary>
    public KnowledgeDocumentFormat Format { get; }

    /// <summary>Gets the text, for text and Markdown documents made from a string; otherwise <see langword="null"/>.</summary>
    public string? Text { get; }

    /// <summary>Gets the raw bytes, for documents read from files or streams; otherwise <see langword="null"/>.</summary>
    public ReadOnlyMemory<byte>? Content { get; }

    /// <summary>Gets or initializes where the document came from. Defaults to <see cref="Id"/>.</summary>
    public string Source { get; init; }

    /// <summary>Gets or initializes the title. Defaults to <see langword="null"/>: the first Markdown heading, the PDF's title or the file name.</summary>
    public string? Title { get; init; }

    /// <summary>Gets or initializes the tenant owning the document. Defaults to <see langword="null"/> (no tenant).</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets or initializes the tags, usable as search filters. Defaults to empty.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Creates a document from text.</summary>
    /// <param name="id">The document id.</param>
    /// <param name="text">The text.</param>
    /// <param name="format">The format: <see cref="KnowledgeDocumentFormat.PlainText"/> (the default) or <see cref="KnowledgeDocumentFormat.Markdown"/>.</param>
    /// <returns>The document.</returns>
    public static KnowledgeDocument FromText(string id, string text, KnowledgeDocumentFormat format = KnowledgeDocumentFormat.PlainText)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (format == KnowledgeDocumentFormat.Pdf)
        {
            throw new ArgumentException("A PDF is read from bytes: use FromBytes, FromStreamAsync or FromFileAsync.", nameof(format));
        }

        return new KnowledgeDocument(id, format, text, null);
    }

    /// <summary>Creates a document from raw bytes (UTF-8 text, Markdown or PDF).</summary>
    /// <param name="id">The document id.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="format">The format.</param>
    /// <returns>The document.</returns>
    public static KnowledgeDocument FromBytes(string id, byte[] content, KnowledgeDocumentFormat format)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new KnowledgeDocument(id, format, null, content);
    }

    /// <summary>Reads a document from a stream to its end.</summary>
    /// <param name="id">The document id.</param>
    /// <param name="stream">The stream; not disposed.</param>
    /// <param name="format">The format.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The document.</returns>
    public static async Task<KnowledgeDocument> FromStreamAsync(string id, Stream stream, KnowledgeDocumentFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return FromBytes(id, buffer.ToArray(), format);
    }

    /// <summary>Reads a file; the format comes from its extension (<see cref="FormatOf"/>).</summary>
    /// <param name="path">The file path; also the default id and source.</param>
    /// <param name="cancellationToken">A token that cancels the read.</param>
    /// <returns>The document.</returns>
    /// <exception cref="NotSupportedException">The extension is not one the knowledge service reads.</exception>
    public static async Task<KnowledgeDocument> FromFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        KnowledgeDocumentFormat format = FormatOf(path)
            ?? throw new NotSupportedException($"'{path}': unknown type '{Path.GetExtension(path)}'; supported: .txt, .text, .md, .markdown, .pdf.");
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return new KnowledgeDocument(path, format, null, bytes) { Source = path };
    }

    /// <summary>Returns the format a file extension stands for, or <see langword="null"/> for one the service does not read.</summary>
    /// <param name="path">A file path or name.</param>
    /// <returns>The format, or <see langword="null"/>.</returns>
    public static KnowledgeDocumentFormat? FormatOf(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".TXT" or ".TEXT" => KnowledgeDocumentFormat.PlainText,
        ".MD" or ".MARKDOWN" => KnowledgeDocumentFormat.Markdown,
        ".PDF" => KnowledgeDocumentFormat.Pdf,
        _ => null,
    };
}
