using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Turns Chat Completions stream chunks into updates: text and reasoning deltas as they come, tool calls
/// accumulated by index and emitted whole when the choice finishes, and one usage update.
/// </summary>
internal sealed class OpenAIStreamState(string provider, string? apiKey)
{
    private readonly List<ToolCallBuilder> _toolCalls = [];
    private string? _responseId;
    private string? _modelId;
    private DateTimeOffset? _created;
    private string? _rawFinish;
    private bool _toolCallsEmitted;

    /// <summary>Parses one chunk; returns the update to yield, or <see langword="null"/> when the chunk carries nothing to show.</summary>
    public ChatResponseUpdate? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw WireFormat.Field(null, "a chunk is not a JSON object");
            }

            string? text = null;
            string? reasoning = null;
            string? refusal = null;
            string? finish = null;
            UsageDetails? usage = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    _responseId = Reuse(ref reader, _responseId);
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    _modelId = Reuse(ref reader, _modelId);
                }
                else if (reader.ValueTextEquals("created"u8))
                {
                    reader.Read();
                    if (_created is null && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long created))
                    {
                        _created = DateTimeOffset.FromUnixTimeSeconds(created);
                    }
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw WireFormat.Field("choices", $"must be an array, not {OpenAIResponseParser.Describe(reader.TokenType)}");
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        ParseChoice(ref reader, ref text, ref reasoning, ref refusal, ref finish);
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    usage = reader.TokenType == JsonTokenType.Null ? null : OpenAIResponseParser.ParseUsage(ref reader);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    var error = OpenAIResponseParser.ParseErrorObject(ref reader);
                    throw ProviderErrors.Create(provider, null, error.Message, error.Code ?? error.Type, null, null, null, apiKey);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            List<AIContent>? contents = null;
            if (reasoning is { Length: > 0 })
            {
                (contents ??= new List<AIContent>(1)).Add(new TextReasoningContent(reasoning));
            }

            if (text is { Length: > 0 })
            {
                // Sized for the common chunk: one text delta and nothing else.
                (contents ??= new List<AIContent>(1)).Add(new TextContent(text));
            }

            if (refusal is { Length: > 0 })
            {
                (contents ??= []).Add(new TextContent(refusal));
                _rawFinish ??= "content_filter";
            }

            if (finish is not null)
            {
                _rawFinish = finish;
                AddToolCalls(ref contents);
            }

            if (usage is not null)
            {
                (contents ??= []).Add(new UsageContent(usage));
            }

            if (contents is null && finish is null)
            {
                return null;
            }

            var update = NewUpdate(contents);
            if (finish is not null)
            {
                SetFinish(update);
            }

            return update;
        }
        catch (JsonException ex)
        {
            throw WireFormat.Field(null, "a chunk is not valid JSON", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw WireFormat.Field(null, "a field of a chunk has an unexpected type", ex);
        }
    }

    /// <summary>At the end of the stream: emits tool calls a server never finished (a cut-off stream) so nothing is lost.</summary>
    public ChatResponseUpdate? Complete()
    {
        List<AIContent>? contents = null;
        AddToolCalls(ref contents);
        if (contents is null)
        {
            return null;
        }

        var update = NewUpdate(contents);
        _rawFinish ??= "tool_calls";
        SetFinish(update);
        return update;
    }

    private void SetFinish(ChatResponseUpdate update)
    {
        if (_rawFinish is null)
        {
            return;
        }

        var finish = _rawFinish == "content_filter" ? ChatFinishReason.ContentFilter : OpenAIResponseParser.MapFinishReason(_rawFinish);
        update.FinishReason = finish;
        if (!string.Equals(finish.Value, _rawFinish, StringComparison.Ordinal))
        {
            (update.AdditionalProperties ??= [])[LlmKitResponseProperties.RawFinishReason] = _rawFinish;
        }
    }

    private ChatResponseUpdate NewUpdate(List<AIContent>? contents) => new()
    {
        Role = ChatRole.Assistant,
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = _modelId,
        CreatedAt = _created,
        Contents = contents ?? [],
    };

    private void AddToolCalls(ref List<AIContent>? contents)
    {
        if (_toolCallsEmitted || _toolCalls.Count == 0)
        {
            return;
        }

        _toolCallsEmitted = true;
        foreach (var builder in _toolCalls)
        {
            (contents ??= []).Add(OpenAIResponseParser.CreateCall(builder.Id ?? string.Empty, builder.Name ?? string.Empty, builder.Arguments.ToString()));
        }
    }

    private void ParseChoice(ref Utf8JsonReader reader, ref string? text, ref string? reasoning, ref string? refusal, ref string? finish)
    {
        int index = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : 0;
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            text = reader.GetString();
                        }
                        else if (reader.TokenType != JsonTokenType.Null)
                        {
                            throw WireFormat.Field("choices[].delta.content", $"must be a string or null, not {OpenAIResponseParser.Describe(reader.TokenType)}");
                        }
                    }
                    else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            reasoning = reader.GetString();
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
                                ParseToolCallDelta(ref reader);
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
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    finish = reader.GetString();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        _ = index;
    }

    private void ParseToolCallDelta(ref Utf8JsonReader reader)
    {
        int index = _toolCalls.Count == 0 ? 0 : _toolCalls.Count - 1;
        bool indexGiven = false;
        ToolCallBuilder? builder = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
                indexGiven = true;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    builder = Builder(indexGiven ? index : _toolCalls.Count);
                    builder.Id ??= reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                builder ??= Builder(index);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            builder.Name ??= reader.GetString();
                        }
                    }
                    else if (reader.ValueTextEquals("arguments"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            builder.AppendArguments(ref reader);
                        }
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
    }

    private ToolCallBuilder Builder(int index)
    {
        while (_toolCalls.Count <= index)
        {
            _toolCalls.Add(new ToolCallBuilder());
        }

        return _toolCalls[index];
    }

    /// <summary>Keeps the string already read when the bytes are the same (ids and model names repeat on every chunk).</summary>
    private static string? Reuse(ref Utf8JsonReader reader, string? previous)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return previous;
        }

        return previous is not null && reader.ValueTextEquals(previous) ? previous : reader.GetString();
    }

    private sealed class ToolCallBuilder
    {
        public string? Id;
        public string? Name;
        public readonly StringBuilder Arguments = new();

        public void AppendArguments(ref Utf8JsonReader reader)
        {
            int max = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            char[] rented = ArrayPool<char>.Shared.Rent(max);
            try
            {
                int written = reader.CopyString(rented);
                Arguments.Append(rented, 0, written);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
