using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Reads and writes conversations as JSON: the export file format (<c>llmkit.conversations</c>, version 1)
/// and the JSON of one stored message that the SQLite and PostgreSQL stores keep per row. Every
/// Microsoft.Extensions.AI content type round-trips (text, data, URIs, function calls and results, usage,
/// reasoning, errors, hosted files and vector stores, tool calls, approvals, MCP, code interpreter, image
/// generation and web search content) through <see cref="AIJsonUtilities.DefaultOptions"/>, which tags each
/// content with a <c>$type</c> discriminator.
/// </summary>
/// <remarks>
/// <see cref="ChatMessage.RawRepresentation"/> and <see cref="AIContent.RawRepresentation"/> are not
/// written (they are provider objects). Values in <c>AdditionalProperties</c> come back as
/// <see cref="JsonElement"/>, as with Microsoft.Extensions.AI's own serialization.
/// </remarks>
public static class ConversationJson
{
    /// <summary>The value of the export file's <c>format</c> property: <c>llmkit.conversations</c>.</summary>
    public const string FormatName = "llmkit.conversations";

    /// <summary>The export format version this LlmKit writes and reads: 1.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions IndentedOptions = new(ConversationJsonContext.Default.Options) { WriteIndented = true };
    private static readonly ConversationJsonContext Indented = new(IndentedOptions);

    /// <summary>Writes conversations (with their messages) as an export file.</summary>
    /// <param name="conversations">The conversations.</param>
    /// <returns>The indented JSON document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="conversations"/> or one of them is <see langword="null"/>.</exception>
    public static string Serialize(IEnumerable<Conversation> conversations)
        => JsonSerializer.Serialize(BuildDocument(conversations), Indented.ConversationDocument);

    /// <summary>Writes conversations (with their messages) as an export file to a stream (UTF-8, indented).</summary>
    /// <param name="destination">The stream; left open.</param>
    /// <param name="conversations">The conversations.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the document is written.</returns>
    /// <exception cref="ArgumentNullException">An argument, or one of the conversations, is <see langword="null"/>.</exception>
    public static Task SerializeAsync(Stream destination, IEnumerable<Conversation> conversations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return JsonSerializer.SerializeAsync(destination, BuildDocument(conversations), Indented.ConversationDocument, cancellationToken);
    }

    /// <summary>Reads an export file.</summary>
    /// <param name="json">The JSON document.</param>
    /// <returns>The conversations, with their messages, in file order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="ConversationFormatException">The document is not a valid export; the message and <see cref="ConversationFormatException.Location"/> say what and where.</exception>
    public static IReadOnlyList<Conversation> Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ConversationDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, ConversationJsonContext.Default.ConversationDocument);
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            throw ReadFailure(ex);
        }

        return ReadDocument(document);
    }

    /// <summary>Reads an export file from a stream.</summary>
    /// <param name="source">The UTF-8 stream; left open.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The conversations, with their messages, in file order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ConversationFormatException">The document is not a valid export; the message and <see cref="ConversationFormatException.Location"/> say what and where.</exception>
    public static async Task<IReadOnlyList<Conversation>> DeserializeAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ConversationDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync(source, ConversationJsonContext.Default.ConversationDocument, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            throw ReadFailure(ex);
        }

        return ReadDocument(document);
    }

    /// <summary>Writes one stored message (the chat message with its status, usage, cost and model) as compact JSON, as the durable stores keep it per row.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The JSON.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or its <see cref="ConversationMessage.Message"/> is <see langword="null"/>.</exception>
    public static string SerializeMessage(ConversationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(message.Message);
        return JsonSerializer.Serialize(ToDto(message), ConversationJsonContext.Default.MessageDto);
    }

    /// <summary>Reads one stored message written by <see cref="SerializeMessage"/>.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="ConversationFormatException">The JSON is not a stored message.</exception>
    public static ConversationMessage DeserializeMessage(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        MessageDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, ConversationJsonContext.Default.MessageDto);
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            throw ReadFailure(ex);
        }

        return FromDto(dto, "$");
    }

    private static ConversationDocument BuildDocument(IEnumerable<Conversation> conversations)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        var list = new List<ConversationDto?>();
        foreach (var c in conversations)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(conversations));
            var messages = new List<MessageDto?>(c.Messages.Count);
            foreach (var m in c.Messages)
            {
                ArgumentNullException.ThrowIfNull(m, nameof(conversations));
                messages.Add(ToDto(m));
            }

            list.Add(new ConversationDto
            {
                Id = c.Id,
                Title = c.Title,
                TenantId = c.TenantId,
                UserId = c.UserId,
                Tags = [.. c.Tags],
                Metadata = new Dictionary<string, string>(c.Metadata, StringComparer.Ordinal),
                CreatedAt = c.CreatedAt,
                UpdatedAt = c.UpdatedAt,
                Model = c.Model,
                InputTokens = c.InputTokens,
                OutputTokens = c.OutputTokens,
                CostUsd = c.CostUsd,
                AuxiliaryInputTokens = c.AuxiliaryInputTokens,
                AuxiliaryOutputTokens = c.AuxiliaryOutputTokens,
                AuxiliaryCostUsd = c.AuxiliaryCostUsd,
                AuxiliaryUnknownCostCalls = c.AuxiliaryUnknownCostCalls,
                Version = c.Version,
                MessageCount = c.MessageCount,
                Messages = messages,
            });
        }

        return new ConversationDocument { Format = FormatName, Version = FormatVersion, Conversations = list };
    }

    private static MessageDto ToDto(ConversationMessage m) => new()
    {
        Sequence = m.Sequence,
        Status = m.Status,
        Model = m.Model,
        Usage = m.Usage,
        Cost = m.Cost,
        Message = m.Message,
    };

    private static List<Conversation> ReadDocument(ConversationDocument? document)
    {
        if (document is null)
        {
            throw new ConversationFormatException("The import file is not an LlmKit conversation export: it holds JSON null. Export the conversations with 'llmkit conversations export' or ConversationJson.Serialize.", "$", null);
        }

        if (!string.Equals(document.Format, FormatName, StringComparison.Ordinal))
        {
            throw new ConversationFormatException($"The import file is not an LlmKit conversation export: its \"format\" is {Describe(document.Format)}, expected \"{FormatName}\".", "$.format", null);
        }

        if (document.Version != FormatVersion)
        {
            throw new ConversationFormatException(string.Create(CultureInfo.InvariantCulture, $"The import file has format version {document.Version}; this LlmKit reads version {FormatVersion}. Export it again with this version, or upgrade LlmKit."), "$.version", null);
        }

        if (document.Conversations is null)
        {
            throw new ConversationFormatException("The import file has no \"conversations\" array.", "$.conversations", null);
        }

        var result = new List<Conversation>(document.Conversations.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < document.Conversations.Count; i++)
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"$.conversations[{i}]");
            var c = document.Conversations[i] ?? throw new ConversationFormatException($"The import file has null where a conversation belongs ({path}).", path, null);
            if (string.IsNullOrWhiteSpace(c.Id))
            {
                throw new ConversationFormatException($"The conversation at {path} has no \"id\".", path + ".id", null);
            }

            if (!ids.Add(c.Id))
            {
                throw new ConversationFormatException($"The import file holds conversation '{c.Id}' twice (again at {path}).", path + ".id", null);
            }

            var tags = c.Tags ?? [];
            for (int t = 0; t < tags.Count; t++)
            {
                if (string.IsNullOrWhiteSpace(tags[t]))
                {
                    throw new ConversationFormatException($"The conversation at {path} has an empty tag.", string.Create(CultureInfo.InvariantCulture, $"{path}.tags[{t}]"), null);
                }
            }

            if (c.AuxiliaryInputTokens < 0 || c.AuxiliaryOutputTokens < 0 || c.AuxiliaryCostUsd < 0 || c.AuxiliaryUnknownCostCalls < 0)
            {
                throw new ConversationFormatException($"The conversation at {path} has a negative auxiliary total (auxiliaryInputTokens, auxiliaryOutputTokens, auxiliaryCostUsd or auxiliaryUnknownCostCalls).", path, null);
            }

            var messages = new List<ConversationMessage>(c.Messages?.Count ?? 0);
            var messageIds = new HashSet<string>(StringComparer.Ordinal);
            for (int m = 0; m < (c.Messages?.Count ?? 0); m++)
            {
                string messagePath = string.Create(CultureInfo.InvariantCulture, $"{path}.messages[{m}]");
                var message = FromDto(c.Messages![m], messagePath);
                if (message.Message.MessageId is { } messageId && !messageIds.Add(messageId))
                {
                    throw new ConversationFormatException($"Conversation '{c.Id}' holds message id '{messageId}' twice (again at {messagePath}).", messagePath + ".message.messageId", null);
                }

                messages.Add(message);
            }

            result.Add(new Conversation
            {
                Id = c.Id,
                Title = c.Title,
                TenantId = c.TenantId,
                UserId = c.UserId,
                Tags = tags,
                Metadata = c.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal),
                CreatedAt = c.CreatedAt,
                UpdatedAt = c.UpdatedAt,
                Model = c.Model,
                InputTokens = c.InputTokens,
                OutputTokens = c.OutputTokens,
                CostUsd = c.CostUsd,
                AuxiliaryInputTokens = c.AuxiliaryInputTokens,
                AuxiliaryOutputTokens = c.AuxiliaryOutputTokens,
                AuxiliaryCostUsd = c.AuxiliaryCostUsd,
                AuxiliaryUnknownCostCalls = c.AuxiliaryUnknownCostCalls,
                Version = c.Version,
                MessageCount = c.MessageCount,
                Messages = messages,
            });
        }

        return result;
    }

    private static ConversationMessage FromDto(MessageDto? dto, string path)
    {
        if (dto is null)
        {
            throw new ConversationFormatException($"Null where a message belongs ({path}).", path, null);
        }

        if (dto.Message is null)
        {
            throw new ConversationFormatException($"The message at {path} has no \"message\" (the chat message with its role and contents).", path + ".message", null);
        }

        if (string.IsNullOrEmpty(dto.Message.Role.Value))
        {
            throw new ConversationFormatException($"The message at {path} has no \"role\".", path + ".message.role", null);
        }

        for (int i = 0; i < dto.Message.Contents.Count; i++)
        {
            if (dto.Message.Contents[i] is null)
            {
                throw new ConversationFormatException($"The message at {path} has null where a content item belongs.", string.Create(CultureInfo.InvariantCulture, $"{path}.message.contents[{i}]"), null);
            }
        }

        return new ConversationMessage
        {
            Message = dto.Message,
            Sequence = dto.Sequence,
            Status = dto.Status,
            Model = dto.Model,
            Usage = dto.Usage,
            Cost = dto.Cost,
        };
    }

    private static bool IsReadFailure(Exception ex)
        => ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or DecoderFallbackException;

    private static ConversationFormatException ReadFailure(Exception ex)
    {
        if (ex is JsonException json)
        {
            string location = json.Path ?? "$";
            long? line = json.LineNumber;
            long? position = json.BytePositionInLine;
            if (json.InnerException is JsonException { Path: { Length: > 1 } inner } nested)
            {
                // Raised inside a Microsoft.Extensions.AI value: its path is relative to that value.
                location += inner[1..];
                line = nested.LineNumber ?? line;
                position = nested.BytePositionInLine ?? position;
            }

            if (line is { } l)
            {
                location += string.Create(CultureInfo.InvariantCulture, $" (line {l + 1}, position {(position ?? 0) + 1})");
            }

            return new ConversationFormatException($"The conversation data cannot be read at {location}: {FirstSentence(json.Message)} Check that the file is an unmodified LlmKit conversation export.", location, ex);
        }

        return new ConversationFormatException($"The conversation data cannot be read: {FirstSentence(ex.Message)} Check that the file is an unmodified LlmKit conversation export.", "$", ex);
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends its own "Path: ... | LineNumber: ..." tail; the location is reported separately.
        int tail = message.IndexOf(" Path:", StringComparison.Ordinal);
        return tail > 0 ? message[..tail] : message;
    }

    private static string Describe(string? value) => value is null ? "missing" : "\"" + value + "\"";
}
