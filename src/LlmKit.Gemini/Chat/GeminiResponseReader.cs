using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Reads <c>GenerateContentResponse</c> objects (one whole body, or one SSE chunk at a time) with
/// <see cref="Utf8JsonReader"/>. Across chunks it keeps what a stream accumulates: the response id, the model
/// version, the last finish reason and the last (cumulative) usage. Per chunk it allocates only what ends up
/// in the produced contents.
/// </summary>
internal sealed class GeminiResponseReader
{
    private readonly string? _apiKey;
    private readonly bool _streaming;
    private List<PendingCall>? _unnamedCalls;
    private int _callOrdinal;
    private string? _callIdToken;
    private int _safetyStart = -1;
    private int _safetyLength;
    private string? _blockReason;
    private string? _blockMessage;
    private List<string>? _blockCategories;

    public GeminiResponseReader(string? apiKey, bool streaming)
    {
        _apiKey = apiKey;
        _streaming = streaming;
    }

    /// <summary>Gets the response id (<c>responseId</c>), the same on every chunk.</summary>
    public string? ResponseId { get; private set; }

    /// <summary>Gets the model that answered (<c>modelVersion</c>).</summary>
    public string? ModelVersion { get; private set; }

    /// <summary>Gets the last finish reason Gemini sent, as sent.</summary>
    public string? RawFinishReason { get; private set; }

    /// <summary>Gets the candidate's <c>finishMessage</c>.</summary>
    public string? FinishMessage { get; private set; }

    /// <summary>Gets the last usage seen.</summary>
    public GeminiUsage Usage { get; private set; }

    /// <summary>Gets a value indicating whether any function call was read.</summary>
    public bool SawFunctionCall { get; private set; }

    /// <summary>Gets a value indicating whether any candidate was read.</summary>
    public bool SawCandidate { get; private set; }

    public JsonElement? SafetyRatings { get; private set; }

    public JsonElement? GroundingMetadata { get; private set; }

    public JsonElement? CitationMetadata { get; private set; }

    /// <summary>Reads one response object and appends the parts of its first candidate to <paramref name="contents"/>.</summary>
    /// <exception cref="JsonException">The JSON is malformed.</exception>
    /// <exception cref="ContentBlockedException">The prompt was blocked.</exception>
    /// <exception cref="LlmKitException">The object is an error.</exception>
    public void Read(ReadOnlySpan<byte> json, List<AIContent> contents)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The response is not a JSON object.");
        }

        _safetyStart = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("candidates"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw WireFormat.Field("candidates", $"must be an array, not {Describe(reader.TokenType)}");
                }

                ReadCandidates(ref reader, json, contents);
            }
            else if (reader.ValueTextEquals("usageMetadata"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    Usage = ReadUsage(ref reader);
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    throw WireFormat.Field("usageMetadata", $"must be an object, not {Describe(reader.TokenType)}");
                }
            }
            else if (reader.ValueTextEquals("modelVersion"u8))
            {
                reader.Read();
                ModelVersion = Cached(ref reader, ModelVersion);
            }
            else if (reader.ValueTextEquals("responseId"u8))
            {
                reader.Read();
                ResponseId = Cached(ref reader, ResponseId);
            }
            else if (reader.ValueTextEquals("promptFeedback"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadPromptFeedback(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (!_streaming)
                {
                    // A whole 200 response must carry candidates: an error body is a malformed success (a proxy).
                    var error = reader.TokenType == JsonTokenType.StartObject ? GeminiErrors.ReadErrorObject(ref reader) : new GeminiErrorBody { Message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null };
                    throw new ProviderResponseFormatException(
                        $"the body is an error object, not a response (the provider said: {error.Message ?? "no details"})",
                        provider: null,
                        statusCode: null,
                        field: "error",
                        bodyExcerpt: null,
                        providerErrorCode: error.Status);
                }

                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    throw GeminiErrors.FromStreamError(GeminiErrors.ReadErrorObject(ref reader), _apiKey);
                }

                throw GeminiErrors.FromStreamError(new GeminiErrorBody { Message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null }, _apiKey);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (_blockReason is not null)
        {
            throw GeminiErrors.PromptBlocked(_blockReason, _blockMessage, (IReadOnlyList<string>?)_blockCategories ?? []);
        }

        if (_safetyStart >= 0 && IsContentFilter(RawFinishReason))
        {
            var slice = new Utf8JsonReader(json.Slice(_safetyStart, _safetyLength));
            SafetyRatings = JsonElement.ParseValue(ref slice);
        }

        if (_unnamedCalls is { Count: > 0 })
        {
            // Gemini sent no ids: make stable ones from the response id (known only once the whole object is read)
            // and the call's position in the response.
            string token = ResponseId ?? (_callIdToken ??= Guid.NewGuid().ToString("N")[..12]);
            foreach (var pending in _unnamedCalls)
            {
                string id = string.Concat(GeminiRequestWriter.GeneratedCallIdPrefix, token, "_", (_callOrdinal++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                contents[pending.Index] = CreateCall(id, pending.Name, pending.Arguments, pending.Signature);
            }

            _unnamedCalls.Clear();
        }
    }

    /// <summary>Maps the raw finish reason; function calls make it <see cref="ChatFinishReason.ToolCalls"/> unless output was cut or filtered.</summary>
    public ChatFinishReason? FinishReason => MapFinishReason(RawFinishReason, SawFunctionCall);

    internal static ChatFinishReason? MapFinishReason(string? raw, bool sawFunctionCall)
    {
        if (IsContentFilter(raw))
        {
            return ChatFinishReason.ContentFilter;
        }

        if (raw == "MAX_TOKENS")
        {
            return ChatFinishReason.Length;
        }

        if (sawFunctionCall)
        {
            return ChatFinishReason.ToolCalls;
        }

        return raw switch
        {
            null => null,
            "STOP" => ChatFinishReason.Stop,
            _ => new ChatFinishReason(raw),
        };
    }

    internal static bool IsContentFilter(string? raw)
        => raw is "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION";

    /// <summary>Adds the response-level facts (raw finish reason, finish message, safety, grounding) to <paramref name="properties"/>.</summary>
    public AdditionalPropertiesDictionary? AddResponseProperties(AdditionalPropertiesDictionary? properties)
    {
        if (RawFinishReason is not null)
        {
            (properties ??= [])[LlmKitResponseProperties.RawFinishReason] = RawFinishReason;
        }

        if (FinishMessage is not null)
        {
            (properties ??= [])[GeminiPropertyNames.FinishMessage] = FinishMessage;
        }

        if (SafetyRatings is { } safety)
        {
            (properties ??= [])[GeminiPropertyNames.SafetyRatings] = safety;
        }

        if (GroundingMetadata is { } grounding)
        {
            (properties ??= [])[GeminiPropertyNames.GroundingMetadata] = grounding;
        }

        if (CitationMetadata is { } citations)
        {
            (properties ??= [])[GeminiPropertyNames.CitationMetadata] = citations;
        }

        return properties;
    }

    private static string? Cached(ref Utf8JsonReader reader, string? cached)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return cached;
        }

        return cached is not null && reader.ValueTextEquals(cached) ? cached : reader.GetString();
    }

    private void ReadCandidates(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, List<AIContent> contents)
    {
        bool first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (first && reader.TokenType != JsonTokenType.StartObject)
            {
                throw WireFormat.Field("candidates[0]", $"must be an object, not {Describe(reader.TokenType)}");
            }

            if (first)
            {
                first = false;
                SawCandidate = true;
                ReadCandidate(ref reader, json, contents);
            }
            else
            {
                // candidateCount is always 1; anything further is skipped.
                reader.Skip();
            }
        }
    }

    private void ReadCandidate(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, List<AIContent> contents)
    {
        bool sawContent = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                sawContent = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw WireFormat.Field("candidates[0].content", $"must be an object, not {Describe(reader.TokenType)}");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("parts"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            throw WireFormat.Field("candidates[0].content.parts", $"must be an array, not {Describe(reader.TokenType)}");
                        }

                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType != JsonTokenType.StartObject)
                            {
                                throw WireFormat.Field("candidates[0].content.parts[]", $"must be an object, not {Describe(reader.TokenType)}");
                            }

                            ReadPart(ref reader, json, contents);
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("finishReason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    RawFinishReason = KnownFinishReason(ref reader);
                }
            }
            else if (reader.ValueTextEquals("finishMessage"u8))
            {
                reader.Read();
                FinishMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : FinishMessage;
            }
            else if (reader.ValueTextEquals("safetyRatings"u8))
            {
                // Kept only if the candidate turns out to be filtered; remember where it is.
                reader.Read();
                _safetyStart = (int)reader.TokenStartIndex;
                reader.Skip();
                _safetyLength = (int)reader.BytesConsumed - _safetyStart;
            }
            else if (reader.ValueTextEquals("groundingMetadata"u8))
            {
                reader.Read();
                GroundingMetadata = JsonElement.ParseValue(ref reader);
            }
            else if (reader.ValueTextEquals("citationMetadata"u8))
            {
                reader.Read();
                CitationMetadata = JsonElement.ParseValue(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!_streaming && !sawContent && RawFinishReason is null)
        {
            // A whole answer's candidate says something or says why not (a filtered one has a finishReason).
            throw WireFormat.Field("candidates[0].content", "is missing (the candidate has neither content nor a finishReason)");
        }
    }

    private static string KnownFinishReason(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("STOP"u8))
        {
            return "STOP";
        }

        if (reader.ValueTextEquals("MAX_TOKENS"u8))
        {
            return "MAX_TOKENS";
        }

        if (reader.ValueTextEquals("SAFETY"u8))
        {
            return "SAFETY";
        }

        return reader.GetString() ?? string.Empty;
    }

    private void ReadPart(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, List<AIContent> contents)
    {
        int start = (int)reader.TokenStartIndex;
        string? text = null;
        string? signature = null;
        bool thought = false;
        bool unknown = false;
        AIContent? content = null;
        bool isCall = false;
        string? callId = null, callName = null;
        Dictionary<string, object?>? callArguments = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                text = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw WireFormat.Field("candidates[0].content.parts[].text", $"must be a string, not {Describe(reader.TokenType)}"),
                };
            }
            else if (reader.ValueTextEquals("thought"u8))
            {
                reader.Read();
                thought = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("thoughtSignature"u8))
            {
                reader.Read();
                signature = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("functionCall"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    isCall = true;
                    ReadFunctionCall(ref reader, out callId, out callName, out callArguments);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("inlineData"u8))
            {
                reader.Read();
                content = ReadInlineData(ref reader);
            }
            else if (reader.ValueTextEquals("fileData"u8))
            {
                reader.Read();
                content = ReadFileData(ref reader);
            }
            else if (reader.ValueTextEquals("videoMetadata"u8) || reader.ValueTextEquals("partMetadata"u8) || reader.ValueTextEquals("mediaResolution"u8))
            {
                reader.Read();
                reader.Skip();
            }
            else
            {
                // executableCode, codeExecutionResult, or something newer.
                unknown = true;
                reader.Read();
                reader.Skip();
            }
        }

        if (isCall)
        {
            SawFunctionCall = true;
            callArguments ??= new Dictionary<string, object?>(StringComparer.Ordinal);
            if (string.IsNullOrEmpty(callId))
            {
                // Filled in once the response id is known (see Read).
                (_unnamedCalls ??= []).Add(new PendingCall(contents.Count, callName ?? string.Empty, callArguments, signature));
                contents.Add(null!);
            }
            else
            {
                contents.Add(CreateCall(callId, callName ?? string.Empty, callArguments, signature));
            }
        }
        else if (content is not null)
        {
            if (signature is not null)
            {
                (content.AdditionalProperties ??= [])[GeminiPropertyNames.ThoughtSignature] = signature;
            }

            contents.Add(content);
        }
        else if (unknown)
        {
            // Kept whole so that it goes back to Gemini unchanged.
            var slice = new Utf8JsonReader(json[start..(int)reader.BytesConsumed]);
            contents.Add(new AIContent { RawRepresentation = JsonElement.ParseValue(ref slice) });
        }
        else if (thought)
        {
            if (!string.IsNullOrEmpty(text) || signature is not null)
            {
                contents.Add(Reasoning(text ?? string.Empty, signature));
            }
        }
        else if (signature is not null)
        {
            if (string.IsNullOrEmpty(text))
            {
                // A signature-only part (streams send one at the end): kept apart so that merging text keeps it.
                contents.Add(Reasoning(string.Empty, signature));
            }
            else if (_streaming)
            {
                // Streamed text is merged by ToChatResponse, which keeps only the first item's properties: carry the
                // signature in its own item that is never merged with text.
                contents.Add(new TextContent(text));
                contents.Add(Reasoning(string.Empty, signature));
            }
            else
            {
                contents.Add(new TextContent(text) { AdditionalProperties = new() { [GeminiPropertyNames.ThoughtSignature] = signature } });
            }
        }
        else if (!string.IsNullOrEmpty(text))
        {
            contents.Add(new TextContent(text));
        }
    }

    private static TextReasoningContent Reasoning(string text, string? signature)
    {
        var reasoning = new TextReasoningContent(text);
        if (signature is not null)
        {
            reasoning.ProtectedData = signature;
            reasoning.AdditionalProperties = new() { [GeminiPropertyNames.ThoughtSignature] = signature };
        }

        return reasoning;
    }

    private static FunctionCallContent CreateCall(string id, string name, Dictionary<string, object?> arguments, string? signature)
    {
        var call = new FunctionCallContent(id, name, arguments);
        if (signature is not null)
        {
            call.AdditionalProperties = new() { [GeminiPropertyNames.ThoughtSignature] = signature };
        }

        return call;
    }

    private static void ReadFunctionCall(ref Utf8JsonReader reader, out string? id, out string? name, out Dictionary<string, object?>? arguments)
    {
        id = null;
        name = null;
        arguments = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("args"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    // One document for all arguments; each value is a JsonElement into it.
                    var args = JsonElement.ParseValue(ref reader);
                    arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var property in args.EnumerateObject())
                    {
                        arguments[property.Name] = property.Value;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private readonly record struct PendingCall(int Index, string Name, Dictionary<string, object?> Arguments, string? Signature);

    private static DataContent? ReadInlineData(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? mimeType = null;
        byte[]? data = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("mimeType"u8))
            {
                reader.Read();
                mimeType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                data = reader.TokenType == JsonTokenType.String ? reader.GetBytesFromBase64() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return data is null ? null : new DataContent(data, string.IsNullOrEmpty(mimeType) ? "application/octet-stream" : mimeType);
    }

    private static UriContent? ReadFileData(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? mimeType = null;
        string? uri = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("mimeType"u8))
            {
                reader.Read();
                mimeType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("fileUri"u8))
            {
                reader.Read();
                uri = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return uri is not null && Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
            ? new UriContent(parsed, string.IsNullOrEmpty(mimeType) ? "application/octet-stream" : mimeType)
            : null;
    }

    private void ReadPromptFeedback(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("blockReason"u8))
            {
                reader.Read();
                _blockReason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("blockReasonMessage"u8))
            {
                reader.Read();
                _blockMessage = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("safetyRatings"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    string? category = null;
                    bool blocked = false;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("category"u8))
                        {
                            reader.Read();
                            category = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        }
                        else if (reader.ValueTextEquals("blocked"u8))
                        {
                            reader.Read();
                            blocked = reader.TokenType == JsonTokenType.True;
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }

                    if (blocked && category is not null)
                    {
                        (_blockCategories ??= []).Add(category);
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static GeminiUsage ReadUsage(ref Utf8JsonReader reader)
    {
        var usage = default(GeminiUsage);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("promptTokenCount"u8))
            {
                usage.PromptTokens = ReadInt(ref reader, "usageMetadata.promptTokenCount");
            }
            else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
            {
                usage.CachedTokens = ReadInt(ref reader, "usageMetadata.cachedContentTokenCount");
            }
            else if (reader.ValueTextEquals("candidatesTokenCount"u8))
            {
                usage.CandidatesTokens = ReadInt(ref reader, "usageMetadata.candidatesTokenCount");
            }
            else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
            {
                usage.ThoughtsTokens = ReadInt(ref reader, "usageMetadata.thoughtsTokenCount");
            }
            else if (reader.ValueTextEquals("toolUsePromptTokenCount"u8))
            {
                usage.ToolUsePromptTokens = ReadInt(ref reader, "usageMetadata.toolUsePromptTokenCount");
            }
            else if (reader.ValueTextEquals("totalTokenCount"u8))
            {
                usage.TotalTokens = ReadInt(ref reader, "usageMetadata.totalTokenCount");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return usage;
    }

    /// <summary>A count must be a non-negative integer up to <see cref="WireFormat.MaxTokenCount"/> (which fits an <see cref="int"/>), or null.</summary>
    private static int? ReadInt(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return (int?)WireFormat.ReadCount(ref reader, field);
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => type.ToString(),
    };
}
