using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlmKit;

public sealed partial class KnowledgeBase
{
    private const int MaxChunksPerDocument = 1_000_000;

    /// <summary>Ingests one document; see <see cref="IngestAsync(IEnumerable{KnowledgeDocument}, IProgress{KnowledgeIngestionProgress}?, CancellationToken)"/>.</summary>
    /// <param name="document">The document.</param>
    /// <param name="cancellationToken">A token that cancels the ingestion.</param>
    /// <returns>The report.</returns>
    public Task<KnowledgeIngestionReport> IngestAsync(KnowledgeDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return IngestAsync([document], null, cancellationToken);
    }

    /// <summary>
    /// Ingests documents one after another: reads, chunks, embeds (in batches sized by
    /// <see cref="KnowledgeBaseOptions.EmbeddingBatchSize"/> and <see cref="KnowledgeBaseOptions.EmbeddingBatchTokens"/>)
    /// and writes each document's chunks, then removes its previous chunks. A document whose content hash is unchanged
    /// is left alone at no cost, so running an ingestion again after a failure re-embeds nothing already stored. A
    /// document that cannot be read or has no text is skipped and named in the report.
    /// </summary>
    /// <param name="documents">The documents.</param>
    /// <param name="progress">Receives progress; <see langword="null"/> (the default) for none.</param>
    /// <param name="cancellationToken">A token that cancels the ingestion; documents finished before stay written.</param>
    /// <returns>The report.</returns>
    public async Task<KnowledgeIngestionReport> IngestAsync(IEnumerable<KnowledgeDocument> documents, IProgress<KnowledgeIngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var list = documents as IReadOnlyCollection<KnowledgeDocument> ?? [.. documents];
        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        var state = new IngestionState(list.Count, progress);
        foreach (KnowledgeDocument document in list)
        {
            await IngestOneAsync(collection, document, state, cancellationToken).ConfigureAwait(false);
            state.DocumentsDone++;
            state.Report(document.Source);
        }

        return state.ToReport();
    }

    /// <summary>Ingests a file, or every file under a folder (recursively, in name order); files of unknown types are skipped and reported.</summary>
    /// <param name="path">A file or folder.</param>
    /// <param name="tenant">The tenant owning the documents; <see langword="null"/> (the default) for none.</param>
    /// <param name="tags">Tags for every document; <see langword="null"/> (the default) for none.</param>
    /// <param name="progress">Receives progress; <see langword="null"/> (the default) for none.</param>
    /// <param name="cancellationToken">A token that cancels the ingestion.</param>
    /// <returns>The report. Document ids are paths relative to the folder (or the file's name).</returns>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public async Task<KnowledgeIngestionReport> IngestPathAsync(string path, string? tenant = null, IReadOnlyList<string>? tags = null, IProgress<KnowledgeIngestionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string root;
        string[] files;
        if (Directory.Exists(path))
        {
            root = Path.GetFullPath(path);
            files = [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        }
        else if (File.Exists(path))
        {
            root = Path.GetDirectoryName(Path.GetFullPath(path))!;
            files = [Path.GetFullPath(path)];
        }
        else
        {
            throw new FileNotFoundException($"Nothing to ingest at '{path}': no such file or folder.", path);
        }

        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        var state = new IngestionState(files.Length, progress);
        foreach (string file in files)
        {
            string id = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (KnowledgeDocument.FormatOf(file) is null)
            {
                state.Skipped.Add(new KnowledgeSkippedDocument(id, $"unknown type '{Path.GetExtension(file)}'; supported: .txt, .text, .md, .markdown, .pdf"));
            }
            else
            {
                byte[] bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
                var document = KnowledgeDocument.FromBytes(id, bytes, KnowledgeDocument.FormatOf(file)!.Value) with { Tenant = tenant, Tags = tags ?? [] };
                await IngestOneAsync(collection, document, state, cancellationToken).ConfigureAwait(false);
            }

            state.DocumentsDone++;
            state.Report(id);
        }

        return state.ToReport();
    }

    /// <summary>Deletes a document's chunks.</summary>
    /// <param name="documentId">The document id.</param>
    /// <param name="tenant">The document's tenant; <see langword="null"/> (the default) for none.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The number of chunks deleted; 0 when the document was not stored.</returns>
    public async Task<int> DeleteDocumentAsync(string documentId, string? tenant = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(documentId);
        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        var keys = await ExistingKeysAsync(collection, documentId, tenant, cancellationToken).ConfigureAwait(false);
        if (keys.Count > 0)
        {
            await collection.DeleteAsync(keys.Select(k => k.Key), cancellationToken).ConfigureAwait(false);
        }

        return keys.Count;
    }

    private async Task IngestOneAsync(VectorStoreCollection<string, KnowledgeChunkRecord> collection, KnowledgeDocument document, IngestionState state, CancellationToken cancellationToken)
    {
        IReadOnlyList<DocumentSection> sections;
        string? readTitle;
        try
        {
            (sections, readTitle) = DocumentReaders.Read(document);
        }
        catch (DocumentUnreadableException e)
        {
            state.Skipped.Add(new KnowledgeSkippedDocument(document.Source, e.Message));
            return;
        }

        if (sections.All(s => string.IsNullOrWhiteSpace(s.Text.AsSpan(s.Start, s.Length).ToString())))
        {
            state.Skipped.Add(new KnowledgeSkippedDocument(document.Source, document.Format == KnowledgeDocumentFormat.Pdf ? "no extractable text (a scanned PDF needs OCR first)" : "empty document"));
            return;
        }

        string title = document.Title ?? readTitle ?? Path.GetFileNameWithoutExtension(document.Source);
        string hash = ContentHash(document, sections, title);
        var existing = await ExistingKeysAsync(collection, document.Id, document.Tenant, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0 && existing.All(e => e.Hash == hash && e.Model == EmbeddingModelId))
        {
            state.Unchanged++;
            return;
        }

        var chunker = new TextChunker(_tokenizer, _options.ChunkTokens, _options.OverlapTokens);
        var records = new List<KnowledgeChunkRecord>();
        string keyPrefix = $"{document.Tenant}/{document.Id}#{hash[..16]}#";
        foreach (DocumentSection section in sections)
        {
            foreach (var (start, length, tokens) in chunker.Chunk(section.Text, section.Start, section.Length, section.AtomicSpans))
            {
                string text = section.Text.Substring(start, length);
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                records.Add(new KnowledgeChunkRecord
                {
                    Key = keyPrefix + records.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    DocumentId = document.Id,
                    Source = document.Source,
                    Title = title,
                    Section = section.Heading,
                    Page = section.Page,
                    ChunkIndex = records.Count,
                    StartOffset = start,
                    TokenCount = tokens,
                    Text = text,
                    Tenant = document.Tenant,
                    Tags = [.. document.Tags],
                    ContentHash = hash,
                });
            }
        }

        await EmbedAsync(records, document.Source, state, cancellationToken).ConfigureAwait(false);

        // The new version is written in one batch before the old one is removed, so a reader never finds the document missing.
        await collection.UpsertAsync(records, cancellationToken).ConfigureAwait(false);
        var newKeys = records.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var stale = existing.Select(e => e.Key).Where(k => !newKeys.Contains(k)).ToList();
        if (stale.Count > 0)
        {
            await collection.DeleteAsync(stale, cancellationToken).ConfigureAwait(false);
        }

        state.Documents++;
        state.Chunks += records.Count;
    }

    private async Task EmbedAsync(List<KnowledgeChunkRecord> records, string source, IngestionState state, CancellationToken cancellationToken)
    {
        if (_embeddingGenerator is null)
        {
            return;
        }

        string model = EmbeddingModelId!;
        int index = 0;
        while (index < records.Count)
        {
            int count = 0;
            int tokens = 0;
            while (index + count < records.Count && count < _options.EmbeddingBatchSize && (count == 0 || tokens + records[index + count].TokenCount <= _options.EmbeddingBatchTokens))
            {
                tokens += records[index + count].TokenCount;
                count++;
            }

            var batch = records.GetRange(index, count);
            var embeddings = await _embeddingGenerator.GenerateAsync(batch.Select(r => r.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
            {
                throw new ProviderResponseFormatException($"The embedding generator returned {embeddings.Count} embeddings for {batch.Count} texts.");
            }

            for (int i = 0; i < batch.Count; i++)
            {
                ReadOnlyMemory<float> vector = embeddings[i].Vector;
                if (vector.Length != _dimensions)
                {
                    throw new VectorDimensionMismatchException(_options.CollectionName, _dimensions, vector.Length);
                }

                batch[i].Embedding = vector;
                batch[i].EmbeddingModel = model;
            }

            index += count;
            state.ChunksEmbedded += count;
            state.Report(source);
        }
    }

    private static async Task<List<(string Key, string Hash, string? Model)>> ExistingKeysAsync(VectorStoreCollection<string, KnowledgeChunkRecord> collection, string documentId, string? tenant, CancellationToken cancellationToken)
    {
        Expression<Func<KnowledgeChunkRecord, bool>> filter = r => r.DocumentId == documentId && r.Tenant == tenant;
        var keys = new List<(string, string, string?)>();
        await foreach (var record in collection.GetAsync(filter, MaxChunksPerDocument, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add((record.Key, record.ContentHash, record.EmbeddingModel));
        }

        return keys;
    }

    private string ContentHash(KnowledgeDocument document, IReadOnlyList<DocumentSection> sections, string title)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string? value)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(value ?? "\0"));
            hash.AppendData([0xFF]);
        }

        Add($"{document.Format}|{_options.ChunkTokens}|{_options.OverlapTokens}|{_tokenizer.Name}|{EmbeddingModelId}");
        Add(document.Source);
        Add(title);
        Add(string.Join('\u001F', document.Tags));
        foreach (DocumentSection section in sections)
        {
            Add($"{section.Page}|{section.Heading}");
            Add(section.Text.Substring(section.Start, section.Length));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed class IngestionState(int? total, IProgress<KnowledgeIngestionProgress>? progress)
    {
        public int Documents { get; set; }

        public int Unchanged { get; set; }

        public int Chunks { get; set; }

        public int ChunksEmbedded { get; set; }

        public int DocumentsDone { get; set; }

        public List<KnowledgeSkippedDocument> Skipped { get; } = [];

        public void Report(string source) => progress?.Report(new KnowledgeIngestionProgress(source, DocumentsDone, total, ChunksEmbedded));

        public KnowledgeIngestionReport ToReport() => new()
        {
            Documents = Documents,
            Unchanged = Unchanged,
            Chunks = Chunks,
            EmbeddedChunks = ChunksEmbedded,
            Skipped = [.. Skipped],
        };
    }
}
