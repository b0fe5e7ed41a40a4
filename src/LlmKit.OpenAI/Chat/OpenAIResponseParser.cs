using System.Net;
using System.Text;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Parses Chat Completions responses and error bodies with <see cref="Utf8JsonReader"/>.</summary>
internal static class OpenAIResponseParser
{
    /// <summary>Where a refusal text is kept on the response.</summary>
    public const string RefusalKey = "openai.refusal";

    /// <summary>
    /// Parses a whole Chat Completions body. A body without a non-empty <c>choices</c> array whose first choice has a
    /// <c>message</c> object, a wrongly typed field, a bad token count or an error object is a
    /// <see cref="ProviderResponseFormatException"/>, never an empty answer.
    /// </summary>
    public static ChatResponse ParseCompletion(ReadOnlySpan<byte> json, string provider, string? apiKey, HttpStatusCode status = HttpStatusCode.OK)
    {
        try
        {
            return ParseCompletionCore(json);
        }
        catch (ProviderResponseFormatException ex)
        {
            throw WireFormat.Complete(ex, provider, status, json, apiKey);
        }
        catch (JsonException ex)
        {
            throw WireFormat.Create(provider, status, null, "the body is not valid JSON", json, apiKey, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw WireFormat.Create(provider, status, null, "a field has an unexpected type", json, apiKey, ex);
        }
    }

    private static ChatResponse ParseCompletionCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw WireFormat.Field(null, "the body is not a JSON object");
        }

        var response = new ChatResponse();
        string? rawFinish = null;
        string? refusal = null;
        ChatMessage? message = null;
        int choices = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                response.ResponseId = reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipValue(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                response.ModelId = reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipValue(ref reader);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long created) && created is >= 0 and < 253402300800)
                {
                    response.CreatedAt = DateTimeOffset.FromUnixTimeSeconds(created);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw WireFormat.Field("choices", $"must be an array, not {Describe(reader.TokenType)}");
                }

                choices = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw WireFormat.Field(Path("choices[", choices, "]"), $"must be an object, not {Describe(reader.TokenType)}");
                    }

                    ParseChoice(ref reader, choices, ref message, ref rawFinish, ref refusal);
                    choices++;
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                response.Usage = ParseUsage(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                var error = ParseErrorObject(ref reader);
                throw new ProviderResponseFormatException(
                    $"the body is an error object, not a completion (the provider said: {error.Message ?? "no details"})",
                    provider: null,
                    statusCode: null,
                    field: "error",
                    bodyExcerpt: null,
                    providerErrorCode: error.Code ?? error.Type);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (choices < 0)
        {
            throw WireFormat.Field("choices", "is missing");
        }

        if (choices == 0)
        {
            throw WireFormat.Field("choices", "is empty");
        }

        message ??= new ChatMessage(ChatRole.Assistant, (string?)null);
        response.Messages = [message];
        if (refusal is not null)
        {
            message.Contents.Add(new TextContent(refusal));
            (response.AdditionalProperties ??= [])[RefusalKey] = refusal;
        }

        if (rawFinish is not null)
        {
            response.FinishReason = MapFinishReason(rawFinish);
            if (!string.Equals(response.FinishReason.Value.Value, rawFinish, StringComparison.Ordinal))
            {
                // Kept only when it differs; otherwise FinishReason.Value is the raw value.
                (response.AdditionalProperties ??= [])[LlmKitResponseProperties.RawFinishReason] = rawFinish;
            }
        }

        if (refusal is not null)
        {
            response.FinishReason = ChatFinishReason.ContentFilter;
        }

        message.MessageId ??= response.ResponseId;
        return response;
    }

    private static void ParseChoice(ref Utf8JsonReader reader, int position, ref ChatMessage? message, ref string? rawFinish, ref string? refusal)
    {
        int index = position;
        ChatMessage? parsed = null;
        bool sawMessage = false;
        string? finish = null;
        string? choiceRefusal = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int i) ? i : position;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw WireFormat.Field(Path("choices[", position, "].message"), $"must be an object, not {Describe(reader.TokenType)}");
                }

                sawMessage = true;
                parsed = ParseMessage(ref reader, position, out choiceRefusal);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                finish = reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipValue(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // LlmKit asks for one choice; keep the first if a server sends more.
        if (index == 0 && message is null)
        {
            if (!sawMessage)
            {
                throw WireFormat.Field(Path("choices[", position, "].message"), "is missing");
            }

            message = parsed;
            rawFinish = finish;
            refusal = choiceRefusal;
        }
    }

    private static string? SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private static string Path(string before, int index, string after)
        => string.Concat(before, index.ToString(System.Globalization.CultureInfo.InvariantCulture), after);

    /// <summary>Names a JSON token type for messages: <c>a string</c>, <c>a number</c>, <c>null</c>...</summary>
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

    private static ChatMessage ParseMessage(ref Utf8JsonReader reader, int position, out string? refusal)
    {
        refusal = null;
        var contents = new List<AIContent>();
        string? role = null;
        string? text = null;
        bool sawContent = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                role = reader.GetString();
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                sawContent = true;
                if (reader.TokenType == JsonTokenType.String)
                {
                    text = reader.GetString();
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    // Content parts (an array) are a request shape; a number, object or array here is a broken server.
                    throw WireFormat.Field(Path("choices[", position, "].message.content"), $"must be a string or null, not {Describe(reader.TokenType)}");
                }
            }
            else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } reasoning)
                {
                    contents.Insert(0, new TextReasoningContent(reasoning));
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                refusal = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        contents.Add(ParseToolCall(ref reader));
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawContent && refusal is null && contents.Count == 0)
        {
            // The API always sends "content" (null when there are tool calls); a message with nothing at all is broken.
            throw WireFormat.Field(Path("choices[", position, "].message.content"), "is missing (the message has no content, tool_calls or refusal)");
        }

        if (!string.IsNullOrEmpty(text))
        {
            int at = contents.Count > 0 && contents[0] is TextReasoningContent ? 1 : 0;
            contents.Insert(at, new TextContent(text));
        }

        return new ChatMessage(role is null ? ChatRole.Assistant : new ChatRole(role), contents);
    }

    private static FunctionCallContent ParseToolCall(ref Utf8JsonReader reader)
    {
        string? id = null, name = null, arguments = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.GetString();
            }
            else if (reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        name = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("arguments"u8))
                    {
                        reader.Read();
                        arguments = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return CreateCall(id ?? string.Empty, name ?? string.Empty, arguments);
    }

    /// <summary>
    /// Parses the arguments text. The provider's own text is kept as the call's
    /// <see cref="AIContent.RawRepresentation"/>, so the call goes back unchanged; text that is not a JSON
    /// object (a call cut off at the token limit) is kept with the parse error in <see cref="FunctionCallContent.Exception"/>.
    /// </summary>
    public static FunctionCallContent CreateCall(string id, string name, string? arguments)
    {
        var call = FunctionCallContent.CreateFromParsedArguments(arguments ?? string.Empty, id, name, static text => ParseArguments(text));
        call.RawRepresentation = arguments;
        return call;
    }

    private static Dictionary<string, object?>? ParseArguments(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        // One document for all values: each JsonElement points into it.
        var root = JsonElement.Parse(text);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Tool arguments must be a JSON object, not {root.ValueKind}.");
        }

        var result = new Dictionary<string, object?>();
        foreach (var property in root.EnumerateObject())
        {
            result[property.Name] = property.Value;
        }

        return result;
    }

    public static UsageDetails? ParseUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw WireFormat.Field("usage", $"must be an object, not {Describe(reader.TokenType)}");
        }

        var usage = new UsageDetails();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.InputTokenCount = ReadCount(ref reader, "usage.prompt_tokens");
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.OutputTokenCount = ReadCount(ref reader, "usage.completion_tokens");
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokenCount = ReadCount(ref reader, "usage.total_tokens");
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                ReadDetails(ref reader, usage, input: true);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reader.Read();
                ReadDetails(ref reader, usage, input: false);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return usage;
    }

    private static void ReadDetails(ref Utf8JsonReader reader, UsageDetails usage, bool input)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (input && reader.ValueTextEquals("cached_tokens"u8))
            {
                usage.CachedInputTokenCount = ReadCount(ref reader, "usage.prompt_tokens_details.cached_tokens");
            }
            else if (!input && reader.ValueTextEquals("reasoning_tokens"u8))
            {
                usage.ReasoningTokenCount = ReadCount(ref reader, "usage.completion_tokens_details.reasoning_tokens");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static long? ReadCount(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return WireFormat.ReadCount(ref reader, field);
    }

    public static ChatFinishReason MapFinishReason(string raw) => raw switch
    {
        "stop" or "end_turn" or "eos" => ChatFinishReason.Stop,
        "length" or "max_tokens" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(raw),
    };

    /// <summary>Parses <c>{"error":{"message","type","code"}}</c> (also a bare error object, and Ollama's <c>{"error":"text"}</c>).</summary>
    public static ProviderErrorInfo? ParseError(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String
                    ? new ProviderErrorInfo(reader.GetString(), null, null)
                    : ParseErrorObject(ref reader);
            }

            reader.Read();
            reader.Skip();
        }

        return ParseErrorObjectFromStart(body.Span);
    }

    public static ProviderErrorInfo ParseErrorObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new ProviderErrorInfo(reader.GetString(), null, null);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        string? message = null, code = null, type = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new ProviderErrorInfo(message, code ?? type, type);
    }

    private static ProviderErrorInfo? ParseErrorObjectFromStart(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        reader.Read();
        var info = ParseErrorObject(ref reader);
        return info.Message is null && info.Code is null ? null : info;
    }
}
