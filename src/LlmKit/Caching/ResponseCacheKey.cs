using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The response cache's key: a SHA-256 of a canonical encoding of what determines an answer (the model or its cache group,
/// the messages, the options that change output, the tenant and, when configured, the user). Canonical means two requests
/// built differently but meaning the same thing (adjacent text parts or one, properties set in any order, tools or stop
/// sequences listed in any order) get the same key. The API key, the request id and the rest of the request context never
/// enter it.
/// </summary>
internal static class ResponseCacheKey
{
    /// <summary>The key's length in characters: a 4-character version prefix and 64 hex digits.</summary>
    public const int Length = 4 + 64;

    private const string Prefix = "lkr1";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>Writes the key of a request into <paramref name="destination"/> (<see cref="Length"/> characters).</summary>
    public static void Write(Span<char> destination, IEnumerable<ChatMessage> messages, ChatOptions? options, string modelKey, string? tenantId, string? userId, bool streaming)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        try
        {
            var w = new Writer(buffer);
            w.Byte(streaming ? (byte)'s' : (byte)'n');
            w.String(modelKey);
            w.String(tenantId);
            w.String(userId);
            WriteOptions(ref w, options);
            foreach (var message in messages)
            {
                WriteMessage(ref w, message);
            }

            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.WrittenSpan, hash);
            Prefix.AsSpan().CopyTo(destination);
            Convert.TryToHexStringLower(hash, destination[Prefix.Length..], out _);
        }
        finally
        {
            if (buffer.Capacity > 64 * 1024)
            {
                // A huge request grew the buffer; do not keep that much per thread.
                t_buffer = null;
            }
        }
    }

    /// <summary>Returns the key of a request as a string.</summary>
    public static string Compute(IEnumerable<ChatMessage> messages, ChatOptions? options, string modelKey, string? tenantId, string? userId, bool streaming)
    {
        Span<char> key = stackalloc char[Length];
        Write(key, messages, options, modelKey, tenantId, userId, streaming);
        return new string(key);
    }

    private static void WriteOptions(ref Writer w, ChatOptions? options)
    {
        if (options is null)
        {
            w.Byte(0);
            return;
        }

        w.Byte(1);
        w.String(options.Instructions);
        w.Double(options.Temperature);
        w.Double(options.TopP);
        w.Int(options.TopK);
        w.Int(options.MaxOutputTokens);
        w.Double(options.FrequencyPenalty);
        w.Double(options.PresencePenalty);
        w.Long(options.Seed);
        w.Byte(options.AllowMultipleToolCalls switch { null => 0, true => 1, false => 2 });

        // Stop sequences act as a set.
        if (options.StopSequences is { Count: > 0 } stops)
        {
            var sorted = stops.ToArray();
            Array.Sort(sorted, StringComparer.Ordinal);
            w.Int(sorted.Length);
            foreach (string stop in sorted)
            {
                w.String(stop);
            }
        }
        else
        {
            w.Int(0);
        }

        switch (options.ResponseFormat)
        {
            case null:
                w.Byte(0);
                break;
            case ChatResponseFormatText:
                w.Byte(1);
                break;
            case ChatResponseFormatJson json:
                w.Byte(2);
                w.String(json.SchemaName);
                w.String(json.SchemaDescription);
                w.Json(json.Schema);
                break;
            default:
                w.Byte(3);
                w.String(options.ResponseFormat.GetType().FullName);
                break;
        }

        if (options.Reasoning is { } reasoning)
        {
            w.Byte(1);
            w.String(reasoning.Effort?.ToString());
            w.String(reasoning.Output?.ToString());
        }
        else
        {
            w.Byte(0);
        }

        switch (options.ToolMode)
        {
            case null:
                w.Byte(0);
                break;
            case NoneChatToolMode:
                w.Byte(1);
                break;
            case AutoChatToolMode:
                w.Byte(2);
                break;
            case RequiredChatToolMode required:
                w.Byte(3);
                w.String(required.RequiredFunctionName);
                break;
            default:
                w.Byte(4);
                w.String(options.ToolMode.GetType().FullName);
                break;
        }

        // Tools act as a set: sorted by name.
        if (options.Tools is { Count: > 0 } tools)
        {
            var sorted = tools.ToArray();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            w.Int(sorted.Length);
            foreach (var tool in sorted)
            {
                w.String(tool.GetType().Name);
                w.String(tool.Name);
                w.String(tool.Description);
                if (tool is AIFunctionDeclaration function)
                {
                    w.Json(function.JsonSchema);
                    w.Json(function.ReturnJsonSchema);
                }
            }
        }
        else
        {
            w.Int(0);
        }

        // Provider-specific settings change output too; LlmKit's own entries (the request context, the guard's map) do not.
        if (options.AdditionalProperties is { Count: > 0 } properties)
        {
            var keys = new List<string>(properties.Count);
            foreach (var pair in properties)
            {
                if (!pair.Key.StartsWith("llmkit.", StringComparison.Ordinal))
                {
                    keys.Add(pair.Key);
                }
            }

            keys.Sort(StringComparer.Ordinal);
            w.Int(keys.Count);
            foreach (string key in keys)
            {
                w.String(key);
                w.Object(properties[key]);
            }
        }
        else
        {
            w.Int(0);
        }
    }

    private static void WriteMessage(ref Writer w, ChatMessage message)
    {
        w.Byte(0xFE);
        w.String(message.Role.Value);
        w.String(message.AuthorName);

        // Adjacent text parts are one text: "a" + "b" and "ab" are the same message.
        bool inText = false;
        foreach (var content in message.Contents)
        {
            if (content is TextContent text)
            {
                if (string.IsNullOrEmpty(text.Text))
                {
                    continue;
                }

                if (!inText)
                {
                    w.Byte((byte)'T');
                    inText = true;
                }

                w.Chars(text.Text);
                continue;
            }

            if (inText)
            {
                w.Byte(0xFF);
                inText = false;
            }

            switch (content)
            {
                case TextReasoningContent reasoning:
                    w.Byte((byte)'R');
                    w.String(reasoning.Text);
                    break;
                case FunctionCallContent call:
                    w.Byte((byte)'C');
                    w.String(call.CallId);
                    w.String(call.Name);
                    if (call.Arguments is { Count: > 0 } arguments)
                    {
                        var names = arguments.Keys.ToArray();
                        Array.Sort(names, StringComparer.Ordinal);
                        w.Int(names.Length);
                        foreach (string name in names)
                        {
                            w.String(name);
                            w.Object(arguments[name]);
                        }
                    }
                    else
                    {
                        w.Int(0);
                    }

                    break;
                case FunctionResultContent result:
                    w.Byte((byte)'F');
                    w.String(result.CallId);
                    w.Object(result.Result);
                    break;
                case DataContent data:
                    w.Byte((byte)'D');
                    w.String(data.MediaType);
                    w.String(data.Uri);
                    break;
                case UriContent uri:
                    w.Byte((byte)'U');
                    w.String(uri.MediaType);
                    w.String(uri.Uri.OriginalString);
                    break;
                case UsageContent:
                    // Usage reported on an earlier answer does not change the next one.
                    break;
                default:
                    w.Byte((byte)'O');
                    w.String(content.GetType().FullName);
                    w.Object(content);
                    break;
            }
        }

        if (inText)
        {
            w.Byte(0xFF);
        }
    }

    /// <summary>Appends length-prefixed, typed values, so that no two different requests encode to the same bytes.</summary>
    private readonly ref struct Writer(ArrayBufferWriter<byte> buffer)
    {
        public void Byte(byte value)
        {
            buffer.GetSpan(1)[0] = value;
            buffer.Advance(1);
        }

        public void Int(int? value)
        {
            if (value is not { } v)
            {
                Byte(0);
                return;
            }

            Byte(1);
            BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), v);
            buffer.Advance(4);
        }

        public void Long(long? value)
        {
            if (value is not { } v)
            {
                Byte(0);
                return;
            }

            Byte(1);
            BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), v);
            buffer.Advance(8);
        }

        public void Double(double? value)
        {
            if (value is not { } v)
            {
                Byte(0);
                return;
            }

            Byte(1);
            BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), v);
            buffer.Advance(8);
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Byte(0);
                return;
            }

            Byte(1);
            Chars(value);
            Byte(0xFF);
        }

        /// <summary>UTF-8 text (never holds 0xFF, which ends a string); unpaired surrogates are kept as their code units.</summary>
        public void Chars(string value)
        {
            if (!HasUnpaired(value))
            {
                int written = Encoding.UTF8.GetBytes(value, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length)));
                buffer.Advance(written);
                return;
            }

            // Text with an unpaired surrogate: the raw code units (prefixed so no well-formed text collides).
            var bytes = MemoryMarshal.AsBytes(value.AsSpan());
            Byte(0xFE);
            var raw = buffer.GetSpan(bytes.Length);
            bytes.CopyTo(raw);
            buffer.Advance(bytes.Length);
        }

        public void Json(JsonElement? element)
        {
            if (element is not { } e)
            {
                Byte(0);
                return;
            }

            Byte(1);
            using var writer = new Utf8JsonWriter(buffer);
            e.WriteTo(writer);
            writer.Flush();
            Byte(0xFF);
        }

        public void Object(object? value)
        {
            switch (value)
            {
                case null:
                    Byte(0);
                    return;
                case string s:
                    Byte(2);
                    String(s);
                    return;
                case JsonElement e:
                    Json(e);
                    return;
                default:
                    Byte(3);
                    using (var writer = new Utf8JsonWriter(buffer))
                    {
                        JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                    }

                    Byte(0xFF);
                    return;
            }
        }

        private static bool HasUnpaired(string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsHighSurrogate(c))
                {
                    if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                    {
                        return true;
                    }

                    i++;
                }
                else if (char.IsLowSurrogate(c))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
