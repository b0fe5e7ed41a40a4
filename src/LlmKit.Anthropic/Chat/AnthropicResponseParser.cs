using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Parses non-streaming Messages responses and token counts with <see cref="Utf8JsonReader"/>.</summary>
internal static class AnthropicResponseParser
{
    private enum BlockKind
    {
        Other,
        Text,
        Thinking,
        RedactedThinking,
        ToolUse,
    }

    /// <summary>
    /// Parses a Messages response body. A body without a <c>content</c> array, with a wrongly typed block or text, a
    /// bad token count or an error object is a <see cref="ProviderResponseFormatException"/>, never an empty answer.
    /// </summary>
    /// <exception cref="ProviderResponseFormatException">The body is not a Messages response.</exception>
    public static ChatResponse ParseMessage(ReadOnlySpan<byte> json, string? apiKey, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.OK)
    {
        try
        {
            return ParseMessageCore(json);
        }
        catch (ProviderResponseFormatException ex)
        {
            throw WireFormat.Complete(ex, AnthropicWire.ProviderName, status, json, apiKey);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw WireFormat.Create(AnthropicWire.ProviderName, status, null, "the body is not valid JSON of the expected shape", json, apiKey, ex);
        }
    }

    private static ChatResponse ParseMessageCore(ReadOnlySpan<byte> json)
    {
        string? id = null;
        string? model = null;
        string? stopReason = null;
        string? stopSequence = null;
        List<AIContent>? contents = null;
        AnthropicUsage usage = default;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw WireFormat.Field(null, "the body is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                contents = ReadContents(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("stop_reason"u8))
            {
                reader.Read();
                stopReason = AnthropicWire.ReadStopReason(ref reader);
            }
            else if (reader.ValueTextEquals("stop_sequence"u8))
            {
                reader.Read();
                stopSequence = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                usage.Read(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                // A proxy that answers 200 with an error body: a malformed success, not the provider's error.
                reader.Read();
                var error = reader.TokenType == JsonTokenType.StartObject ? AnthropicWire.ReadErrorObject(ref reader) : default;
                if (reader.TokenType != JsonTokenType.EndObject)
                {
                    reader.Skip();
                }

                throw new ProviderResponseFormatException(
                    $"the body is an error object, not a message (the provider said: {error.Message ?? "no details"})",
                    provider: null,
                    statusCode: null,
                    field: "error",
                    bodyExcerpt: null,
                    providerErrorCode: error.Type ?? error.Code);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (contents is null)
        {
            throw WireFormat.Field("content", "is missing");
        }

        var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = id };
        var response = new ChatResponse(message)
        {
            ResponseId = id,
            ModelId = model,
            FinishReason = AnthropicWire.MapStopReason(stopReason),
            Usage = usage.ToUsageDetails(),
        };

        if (stopReason is not null)
        {
            response.AdditionalProperties = new() { [LlmKitResponseProperties.RawFinishReason] = stopReason };
            if (stopSequence is not null)
            {
                response.AdditionalProperties[AnthropicPropertyNames.StopSequence] = stopSequence;
            }
        }

        return response;
    }

    /// <summary>Parses a <c>count_tokens</c> response: <c>{"input_tokens": N}</c>.</summary>
    public static int ParseTokenCount(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool count = reader.ValueTextEquals("input_tokens"u8);
                    reader.Read();
                    if (count && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value))
                    {
                        return value;
                    }

                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw Invalid("the token count is not valid JSON", ex);
        }

        throw Invalid("the token count has no 'input_tokens'", null);
    }

    /// <summary>Turns a <c>tool_use</c> input object into MEAI arguments, one <see cref="JsonElement"/> per argument.</summary>
    internal static Dictionary<string, object?> ToArguments(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var arguments = new Dictionary<string, object?>(input.GetPropertyCount(), StringComparer.Ordinal);
        foreach (var property in input.EnumerateObject())
        {
            arguments[property.Name] = property.Value;
        }

        return arguments;
    }

    internal static ResponseParseException Invalid(string what, Exception? inner)
        => new($"The Anthropic response could not be read: {what}. Check that the base address points at the Anthropic Messages API.", inner) { Provider = AnthropicWire.ProviderName };

    /// <summary>A pending wire-format error for a stream event (completed by the client with status and data).</summary>
    internal static ProviderResponseFormatException InvalidEvent(string what, Exception? inner)
        => WireFormat.Field(null, what, inner);

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static List<AIContent> ReadContents(ref Utf8JsonReader reader)
    {
        var contents = new List<AIContent>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw WireFormat.Field("content", $"must be an array of blocks, not {Describe(reader.TokenType)}");
        }

        int position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw WireFormat.Field(BlockPath(position, null), $"must be an object, not {Describe(reader.TokenType)}");
            }

            contents.Add(ReadBlock(ref reader, position));
            position++;
        }

        return contents;
    }

    private static string BlockPath(int position, string? field)
        => string.Concat("content[", position.ToString(System.Globalization.CultureInfo.InvariantCulture), "]", field is null ? string.Empty : "." + field);

    internal static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => type.ToString(),
    };

    private static AIContent ReadBlock(ref Utf8JsonReader reader, int position)
    {
        var start = reader;
        var kind = BlockKind.Other;
        string? text = null;
        string? signature = null;
        string? data = null;
        string? id = null;
        string? name = null;
        JsonElement input = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                kind = reader.ValueTextEquals("text"u8) ? BlockKind.Text
                    : reader.ValueTextEquals("tool_use"u8) ? BlockKind.ToolUse
                    : reader.ValueTextEquals("thinking"u8) ? BlockKind.Thinking
                    : reader.ValueTextEquals("redacted_thinking"u8) ? BlockKind.RedactedThinking
                    : BlockKind.Other;
            }
            else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8))
            {
                bool isText = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    throw WireFormat.Field(BlockPath(position, isText ? "text" : "thinking"), $"must be a string, not {Describe(reader.TokenType)}");
                }

                text = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                input = JsonElement.ParseValue(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("signature"u8))
            {
                reader.Read();
                signature = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                data = ReadString(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        switch (kind)
        {
            case BlockKind.Text:
                return new TextContent(text);
            case BlockKind.Thinking:
                return new TextReasoningContent(text) { ProtectedData = string.IsNullOrEmpty(signature) ? null : signature };
            case BlockKind.RedactedThinking:
                return new TextReasoningContent(string.Empty)
                {
                    ProtectedData = data,
                    AdditionalProperties = new() { [AnthropicPropertyNames.RedactedThinking] = true },
                };
            case BlockKind.ToolUse:
                return new FunctionCallContent(id ?? string.Empty, name ?? string.Empty, ToArguments(input));
            default:
                // Kept whole so that it can be sent back unchanged (server tool use, web search results...).
                return new AIContent { RawRepresentation = JsonElement.ParseValue(ref start) };
        }
    }
}
