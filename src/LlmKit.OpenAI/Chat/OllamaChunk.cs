using System.Globalization;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>One Ollama <c>/api/chat</c> object: a whole response, or one line of a stream.</summary>
internal sealed class OllamaChunk
{
    private readonly List<(string Name, Dictionary<string, object?> Arguments)> _toolCalls = [];

    public string? Model { get; private set; }

    public DateTimeOffset? CreatedAt { get; private set; }

    public string? Content { get; private set; }

    public string? Thinking { get; private set; }

    public bool Done { get; private set; }

    public string? DoneReason { get; private set; }

    public UsageDetails? Usage { get; private set; }

    /// <summary>
    /// Parses one object. A whole (non-streamed) response must carry a <c>message</c> object; in a stream an
    /// <c>error</c> object is the server's error, in a whole 200 response it is a malformed body. Wrongly typed
    /// fields and bad token counts throw a pending <see cref="ProviderResponseFormatException"/> naming the field.
    /// </summary>
    public static OllamaChunk Parse(ReadOnlySpan<byte> json, string? apiKey, bool whole = false)
    {
        var chunk = new OllamaChunk();
        var reader = new Utf8JsonReader(json);
        long? promptCount = null, evalCount = null;
        bool sawMessage = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw WireFormat.Field(null, "the body is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    chunk.Model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("created_at"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
                    {
                        chunk.CreatedAt = created;
                    }
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw WireFormat.Field("message", $"must be an object, not {OpenAIResponseParser.Describe(reader.TokenType)}");
                    }

                    sawMessage = true;
                    chunk.ParseMessage(ref reader);
                }
                else if (reader.ValueTextEquals("done"u8))
                {
                    reader.Read();
                    chunk.Done = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("done_reason"u8))
                {
                    reader.Read();
                    chunk.DoneReason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("prompt_eval_count"u8))
                {
                    reader.Read();
                    promptCount = WireFormat.ReadCount(ref reader, "prompt_eval_count");
                }
                else if (reader.ValueTextEquals("eval_count"u8))
                {
                    reader.Read();
                    evalCount = WireFormat.ReadCount(ref reader, "eval_count");
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    var error = OpenAIResponseParser.ParseErrorObject(ref reader);
                    if (whole)
                    {
                        throw new ProviderResponseFormatException(
                            $"the body is an error object, not a chat response (the server said: {error.Message ?? "no details"})",
                            provider: null,
                            statusCode: null,
                            field: "error",
                            bodyExcerpt: null,
                            providerErrorCode: error.Code);
                    }

                    throw ProviderErrors.Create("ollama", null, error.Message, error.Code, null, null, null, apiKey);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw WireFormat.Field(null, "the body is not valid JSON; check that the address points at Ollama's native API (not /v1)", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw WireFormat.Field(null, "a field has an unexpected type", ex);
        }

        if (whole && !sawMessage)
        {
            throw WireFormat.Field("message", "is missing");
        }

        if (chunk.Done && (promptCount is not null || evalCount is not null))
        {
            chunk.Usage = new UsageDetails
            {
                InputTokenCount = promptCount,
                OutputTokenCount = evalCount,
                TotalTokenCount = (promptCount ?? 0) + (evalCount ?? 0),
            };
        }

        return chunk;
    }

    /// <summary>Adds this chunk's reasoning, text and tool calls (ids numbered from <paramref name="firstCallNumber"/>).</summary>
    public List<AIContent>? ToContents(List<AIContent>? contents, int firstCallNumber, out int toolCalls)
    {
        if (Thinking is { Length: > 0 } thinking)
        {
            (contents ??= []).Add(new TextReasoningContent(thinking));
        }

        if (Content is { Length: > 0 } text)
        {
            (contents ??= []).Add(new TextContent(text));
        }

        for (int i = 0; i < _toolCalls.Count; i++)
        {
            var (name, arguments) = _toolCalls[i];
            (contents ??= []).Add(new FunctionCallContent(string.Create(CultureInfo.InvariantCulture, $"call_{firstCallNumber + i}"), name, arguments));
        }

        toolCalls = _toolCalls.Count;
        return contents;
    }

    public void ApplyFinish(ChatResponse response)
    {
        bool calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any();
        response.FinishReason = Finish(calls);
        if (DoneReason is not null && DoneReason != response.FinishReason.Value.Value)
        {
            (response.AdditionalProperties ??= [])[LlmKitResponseProperties.RawFinishReason] = DoneReason;
        }
    }

    public void ApplyFinish(ChatResponseUpdate update, bool hadToolCalls)
    {
        update.FinishReason = Finish(hadToolCalls);
        if (DoneReason is not null && DoneReason != update.FinishReason.Value.Value)
        {
            (update.AdditionalProperties ??= [])[LlmKitResponseProperties.RawFinishReason] = DoneReason;
        }
    }

    private ChatFinishReason Finish(bool hadToolCalls) => hadToolCalls ? ChatFinishReason.ToolCalls : DoneReason switch
    {
        null or "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        var other => new ChatFinishReason(other),
    };

    private void ParseMessage(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                Content = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw WireFormat.Field("message.content", $"must be a string, not {OpenAIResponseParser.Describe(reader.TokenType)}"),
                };
            }
            else if (reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("reasoning_content"u8))
            {
                reader.Read();
                Thinking = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    ParseToolCall(ref reader);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ParseToolCall(ref Utf8JsonReader reader)
    {
        string name = string.Empty;
        var arguments = new Dictionary<string, object?>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    name = reader.GetString() ?? string.Empty;
                }
                else if (reader.ValueTextEquals("arguments"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        using var document = JsonDocument.ParseValue(ref reader);
                        foreach (var property in document.RootElement.EnumerateObject())
                        {
                            arguments[property.Name] = property.Value.Clone();
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

        _toolCalls.Add((name, arguments));
    }
}
