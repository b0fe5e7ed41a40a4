using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Turns the events of one Messages stream into <see cref="ChatResponseUpdate"/>s: text, thinking and signature
/// deltas as they come, each tool call when its block ends (arguments accumulated by block index), and one final
/// update with the finish reason and the only <see cref="UsageContent"/>. Only the strings that end up in updates
/// are allocated per event.
/// </summary>
internal sealed class AnthropicStreamParser : IDisposable
{
    private readonly string? _apiKey;
    private readonly string? _requestId;
    private string? _responseId;
    private string? _modelId;
    private string? _stopReason;
    private string? _stopSequence;
    private AnthropicUsage _usage;
    private PendingBlock?[] _blocks = [];
    private byte[] _scratch = [];

    public AnthropicStreamParser(string? apiKey, string? requestId)
    {
        _apiKey = apiKey;
        _requestId = requestId;
    }

    /// <summary>Gets a value indicating whether <c>message_stop</c> arrived.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Gets a value indicating whether <c>message_start</c> arrived.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>Gets a value indicating whether the stream said how it ended (<c>message_delta</c> with a stop reason).</summary>
    public bool HasStopReason => _stopReason is not null;

    /// <summary>Parses one event; returns the update it produces, or <see langword="null"/>.</summary>
    /// <exception cref="LlmKitException">The event is an <c>error</c> event, or its data is not valid JSON.</exception>
    public ChatResponseUpdate? Parse(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        try
        {
            if (eventType.IsEmpty)
            {
                eventType = PeekType(data);
            }

            if (eventType.SequenceEqual("content_block_delta"u8))
            {
                return OnDelta(data);
            }

            if (eventType.SequenceEqual("content_block_start"u8))
            {
                return OnBlockStart(data);
            }

            if (eventType.SequenceEqual("content_block_stop"u8))
            {
                return OnBlockStop(data);
            }

            if (eventType.SequenceEqual("message_start"u8))
            {
                HasStarted = true;
                OnMessageStart(data);
            }
            else if (eventType.SequenceEqual("message_delta"u8))
            {
                OnMessageDelta(data);
            }
            else if (eventType.SequenceEqual("message_stop"u8))
            {
                IsComplete = true;
            }
            else if (eventType.SequenceEqual("error"u8))
            {
                throw ReadError(data);
            }

            // ping and event types this version does not know carry nothing for the caller.
            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw AnthropicResponseParser.InvalidEvent("a stream event is not valid JSON of the expected shape", ex);
        }
    }

    /// <summary>Returns the last update: tool calls whose block never ended, the finish reason and the usage.</summary>
    public ChatResponseUpdate Complete()
    {
        var contents = new List<AIContent>(2);
        for (int i = 0; i < _blocks.Length; i++)
        {
            if (_blocks[i] is { } pending)
            {
                contents.Add(Finish(pending));
                _blocks[i] = null;
            }
        }

        if (_usage.ToUsageDetails() is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }

        var update = NewUpdate(contents);
        update.FinishReason = AnthropicWire.MapStopReason(_stopReason);
        if (_stopReason is not null)
        {
            update.AdditionalProperties = new() { [LlmKitResponseProperties.RawFinishReason] = _stopReason };
            if (_stopSequence is not null)
            {
                update.AdditionalProperties[AnthropicPropertyNames.StopSequence] = _stopSequence;
            }
        }

        return update;
    }

    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            block?.Dispose();
        }

        _blocks = [];
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private static ReadOnlySpan<byte> PeekType(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool type = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (type && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                {
                    return reader.ValueSpan;
                }

                reader.Skip();
            }
        }

        return default;
    }

    private ChatResponseUpdate NewUpdate(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = _modelId,
    };

    private ChatResponseUpdate? OnDelta(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        int index = -1;
        int scratchLength = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                // The property that carries the delta says what it is: text_delta has "text", thinking_delta
                // "thinking", signature_delta "signature", input_json_delta "partial_json".
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("text"u8))
                    {
                        reader.Read();
                        return NewUpdate(new UpdateContents(new TextContent(reader.GetString())));
                    }

                    if (reader.ValueTextEquals("partial_json"u8))
                    {
                        reader.Read();
                        if (index >= 0 && index < _blocks.Length && _blocks[index] is { } block)
                        {
                            block.Append(ref reader);
                        }
                        else
                        {
                            // The index comes after the delta: keep the fragment until it is known.
                            scratchLength = CopyToScratch(ref reader);
                        }
                    }
                    else if (reader.ValueTextEquals("thinking"u8))
                    {
                        reader.Read();
                        return NewUpdate(new UpdateContents(new TextReasoningContent(reader.GetString())));
                    }
                    else if (reader.ValueTextEquals("signature"u8))
                    {
                        reader.Read();
                        return NewUpdate(new UpdateContents(new TextReasoningContent(string.Empty) { ProtectedData = reader.GetString() }));
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

        if (scratchLength >= 0 && index >= 0 && index < _blocks.Length && _blocks[index] is { } late)
        {
            late.Append(_scratch.AsSpan(0, scratchLength));
        }

        return null;
    }

    private int CopyToScratch(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return -1;
        }

        if (_scratch.Length < reader.ValueSpan.Length)
        {
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(256, reader.ValueSpan.Length));
        }

        return reader.CopyString(_scratch);
    }

    private ChatResponseUpdate? OnBlockStart(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        int index = -1;
        ReadOnlySpan<byte> block = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("content_block"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                block = data[start..(int)reader.BytesConsumed];
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (block.IsEmpty)
        {
            return null;
        }

        var blockReader = new Utf8JsonReader(block);
        blockReader.Read();
        ReadOnlySpan<byte> type = default;
        string? text = null;
        string? signature = null;
        string? data2 = null;
        string? id = null;
        string? name = null;
        while (blockReader.Read() && blockReader.TokenType == JsonTokenType.PropertyName)
        {
            if (blockReader.ValueTextEquals("type"u8))
            {
                blockReader.Read();
                type = blockReader.ValueSpan;
            }
            else if (blockReader.ValueTextEquals("text"u8) || blockReader.ValueTextEquals("thinking"u8))
            {
                blockReader.Read();
                text = blockReader.TokenType == JsonTokenType.String && blockReader.ValueSpan.Length > 0 ? blockReader.GetString() : null;
            }
            else if (blockReader.ValueTextEquals("id"u8))
            {
                blockReader.Read();
                id = blockReader.TokenType == JsonTokenType.String ? blockReader.GetString() : null;
            }
            else if (blockReader.ValueTextEquals("name"u8))
            {
                blockReader.Read();
                name = blockReader.TokenType == JsonTokenType.String ? blockReader.GetString() : null;
            }
            else if (blockReader.ValueTextEquals("signature"u8))
            {
                blockReader.Read();
                signature = blockReader.TokenType == JsonTokenType.String && blockReader.ValueSpan.Length > 0 ? blockReader.GetString() : null;
            }
            else if (blockReader.ValueTextEquals("data"u8))
            {
                blockReader.Read();
                data2 = blockReader.TokenType == JsonTokenType.String ? blockReader.GetString() : null;
            }
            else
            {
                blockReader.Read();
                blockReader.Skip();
            }
        }

        if (type.SequenceEqual("text"u8))
        {
            return text is null ? null : NewUpdate(new UpdateContents(new TextContent(text)));
        }

        if (type.SequenceEqual("thinking"u8))
        {
            return text is null && signature is null ? null : NewUpdate(new UpdateContents(new TextReasoningContent(text ?? string.Empty) { ProtectedData = signature }));
        }

        if (type.SequenceEqual("redacted_thinking"u8))
        {
            return NewUpdate(new UpdateContents(new TextReasoningContent(string.Empty)
            {
                ProtectedData = data2,
                AdditionalProperties = new() { [AnthropicPropertyNames.RedactedThinking] = true },
            }));
        }

        if (index < 0)
        {
            return null;
        }

        if (index >= _blocks.Length)
        {
            Array.Resize(ref _blocks, Math.Max(index + 1, _blocks.Length * 2));
        }

        _blocks[index]?.Dispose();
        _blocks[index] = type.SequenceEqual("tool_use"u8)
            ? new PendingBlock(id ?? string.Empty, name ?? string.Empty, raw: null)
            : new PendingBlock(id, name, raw: block.ToArray());
        return null;
    }

    private ChatResponseUpdate? OnBlockStop(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isIndex = reader.ValueTextEquals("index"u8);
            reader.Read();
            if (isIndex)
            {
                int index = reader.GetInt32();
                if (index >= 0 && index < _blocks.Length && _blocks[index] is { } block)
                {
                    _blocks[index] = null;
                    return NewUpdate(new UpdateContents(Finish(block)));
                }

                return null;
            }

            reader.Skip();
        }

        return null;
    }

    private void OnMessageStart(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (!isMessage || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    _responseId = reader.TokenType == JsonTokenType.String ? reader.GetString() : _responseId;
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    _modelId = reader.TokenType == JsonTokenType.String ? reader.GetString() : _modelId;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    _usage.Read(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    private void OnMessageDelta(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("stop_reason"u8))
                    {
                        reader.Read();
                        _stopReason = AnthropicWire.ReadStopReason(ref reader) ?? _stopReason;
                    }
                    else if (reader.ValueTextEquals("stop_sequence"u8))
                    {
                        reader.Read();
                        _stopSequence = reader.TokenType == JsonTokenType.String ? reader.GetString() : _stopSequence;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                // Cumulative counts: they replace what message_start said, field by field.
                reader.Read();
                _usage.Read(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private Exception ReadError(ReadOnlySpan<byte> data)
    {
        // The HTTP status was 200; the error type stands for the status Anthropic documents for it, so that
        // retries and fallback treat an overload in the stream like an overload before it.
        var info = AnthropicWire.ParseError(data.ToArray());
        return ProviderErrors.Create(
            AnthropicWire.ProviderName,
            AnthropicWire.StatusForErrorType(info?.Type),
            $"{info?.Message ?? Encoding.UTF8.GetString(data)} (sent as an error event in the middle of the stream)",
            info?.Code,
            _requestId,
            retryAfter: null,
            shouldRetry: null,
            _apiKey);
    }

    private static AIContent Finish(PendingBlock block)
    {
        try
        {
            return block.Raw is null ? block.ToFunctionCall() : block.ToRawContent();
        }
        finally
        {
            block.Dispose();
        }
    }

    /// <summary>A block whose content arrives as JSON fragments: a tool call, or a block kept raw (server tool use).</summary>
    private sealed class PendingBlock(string? id, string? name, byte[]? raw) : IDisposable
    {
        private byte[] _json = [];
        private int _length;

        public byte[]? Raw { get; } = raw;

        public void Append(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return;
            }

            Ensure(reader.ValueSpan.Length);
            _length += reader.CopyString(_json.AsSpan(_length));
        }

        public void Append(ReadOnlySpan<byte> fragment)
        {
            Ensure(fragment.Length);
            fragment.CopyTo(_json.AsSpan(_length));
            _length += fragment.Length;
        }

        public FunctionCallContent ToFunctionCall()
        {
            var json = _json.AsSpan(0, _length);
            if (json.Trim(" \t\r\n"u8).IsEmpty)
            {
                return new FunctionCallContent(id!, name!, new Dictionary<string, object?>());
            }

            try
            {
                var reader = new Utf8JsonReader(json);
                var input = JsonElement.ParseValue(ref reader);
                return new FunctionCallContent(id!, name!, AnthropicResponseParser.ToArguments(input));
            }
            catch (JsonException ex)
            {
                // Cut off (at max_tokens): keep the raw text and say why there are no arguments.
                return new FunctionCallContent(id!, name!)
                {
                    Exception = new ResponseParseException($"The arguments of tool call '{name}' ({id}) are not complete JSON; the response was most likely cut off at max_tokens. Raise the maximum output tokens. The raw text is in AdditionalProperties[\"{AnthropicPropertyNames.RawArguments}\"].", ex) { Provider = AnthropicWire.ProviderName },
                    AdditionalProperties = new() { [AnthropicPropertyNames.RawArguments] = Encoding.UTF8.GetString(json) },
                };
            }
        }

        public AIContent ToRawContent()
        {
            var json = _json.AsSpan(0, _length);
            byte[] bytes = Raw!;
            if (!json.Trim(" \t\r\n"u8).IsEmpty)
            {
                bytes = WithInput(Raw!, json);
            }

            using var document = JsonDocument.Parse(bytes);
            return new AIContent { RawRepresentation = document.RootElement.Clone() };
        }

        public void Dispose()
        {
            if (_json.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_json);
                _json = [];
            }
        }

        private static byte[] WithInput(byte[] raw, ReadOnlySpan<byte> input)
        {
            using var output = new PooledBufferWriter();
            using (var writer = new Utf8JsonWriter(output))
            {
                var reader = new Utf8JsonReader(raw);
                reader.Read();
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string property = reader.GetString()!;
                    reader.Read();
                    if (property == "input")
                    {
                        reader.Skip();
                        continue;
                    }

                    writer.WritePropertyName(property);
                    JsonElement.ParseValue(ref reader).WriteTo(writer);
                }

                writer.WritePropertyName("input"u8);
                try
                {
                    using var parsed = JsonDocument.Parse(input.ToArray());
                    parsed.RootElement.WriteTo(writer);
                }
                catch (JsonException)
                {
                    writer.WriteStringValue(input);
                }

                writer.WriteEndObject();
            }

            return output.WrittenSpan.ToArray();
        }

        private void Ensure(int more)
        {
            if (_length + more <= _json.Length)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(256, Math.Max(_json.Length * 2, _length + more)));
            _json.AsSpan(0, _length).CopyTo(bigger);
            if (_json.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_json);
            }

            _json = bigger;
        }
    }
}
