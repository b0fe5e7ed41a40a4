using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Writes Chat Completions request bodies straight to UTF-8 JSON.</summary>
internal static class OpenAIRequestWriter
{
    /// <summary>MEAI's JSON options without indentation, for values written into request bodies.</summary>
    private static readonly JsonSerializerOptions CompactOptions = CreateCompactOptions();

    /// <summary>The options key that turns strict JSON-schema output off (it is on by default). Never sent.</summary>
    public const string StrictJsonSchemaKey = "llmkit.strict_json_schema";

    public static PooledJsonContent Write(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, OpenAICompatibilityProfile profile, bool includeStreamUsage)
        => PooledJsonContent.Create((model, messages, options, stream, profile, includeStreamUsage), static (w, s) => WriteBody(w, s.model, s.messages, s.options, s.stream, s.profile, s.includeStreamUsage));

    private static void WriteBody(Utf8JsonWriter w, string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, OpenAICompatibilityProfile profile, bool includeStreamUsage)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, model);
        w.WriteStartArray("messages"u8);
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            w.WriteStartObject();
            w.WriteString("role"u8, profile.SupportsDeveloperRole ? "developer" : "system");
            w.WriteString("content"u8, instructions);
            w.WriteEndObject();
        }

        foreach (var message in messages)
        {
            WriteMessage(w, message, profile);
        }

        w.WriteEndArray();

        if (stream)
        {
            w.WriteBoolean("stream"u8, true);
            if (includeStreamUsage && profile.SupportsStreamOptions)
            {
                w.WriteStartObject("stream_options"u8);
                w.WriteBoolean("include_usage"u8, true);
                w.WriteEndObject();
            }
        }

        if (options is not null)
        {
            WriteOptions(w, options, profile);
        }

        w.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter w, ChatOptions options, OpenAICompatibilityProfile profile)
    {
        if (options.MaxOutputTokens is { } max)
        {
            w.WriteNumber(profile.MaxTokensField, max);
        }

        if (options.Temperature is { } temperature)
        {
            w.WriteNumber("temperature"u8, temperature);
        }

        if (options.TopP is { } topP)
        {
            w.WriteNumber("top_p"u8, topP);
        }

        if (options.FrequencyPenalty is { } frequency)
        {
            w.WriteNumber("frequency_penalty"u8, frequency);
        }

        if (options.PresencePenalty is { } presence)
        {
            w.WriteNumber("presence_penalty"u8, presence);
        }

        if (options.Seed is { } seed)
        {
            w.WriteNumber(profile.SeedField, seed);
        }

        if (options.StopSequences is { Count: > 0 } stops)
        {
            w.WriteStartArray("stop"u8);
            foreach (var stop in stops)
            {
                w.WriteStringValue(stop);
            }

            w.WriteEndArray();
        }

        if (options.Reasoning?.Effort is { } effort && profile.SupportsReasoningEffort)
        {
            w.WriteString("reasoning_effort"u8, effort switch
            {
                ReasoningEffort.None => "none",
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                ReasoningEffort.High => "high",
                ReasoningEffort.ExtraHigh => "xhigh",
                _ => "medium",
            });
        }

        bool hasTools = false;
        if (options.Tools is { Count: > 0 } tools)
        {
            w.WriteStartArray("tools"u8);
            foreach (var tool in tools)
            {
                if (tool is AIFunctionDeclaration function)
                {
                    hasTools = true;
                    w.WriteStartObject();
                    w.WriteString("type"u8, "function"u8);
                    w.WriteStartObject("function"u8);
                    w.WriteString("name"u8, function.Name);
                    if (!string.IsNullOrEmpty(function.Description))
                    {
                        w.WriteString("description"u8, function.Description);
                    }

                    w.WritePropertyName("parameters"u8);
                    function.JsonSchema.WriteTo(w);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
        }

        if (options.Tools is { Count: > 0 } && options.ToolMode is { } mode)
        {
            switch (mode)
            {
                case NoneChatToolMode:
                    w.WriteString("tool_choice"u8, "none"u8);
                    break;
                case AutoChatToolMode:
                    w.WriteString("tool_choice"u8, "auto"u8);
                    break;
                case RequiredChatToolMode { RequiredFunctionName: { } name }:
                    w.WriteStartObject("tool_choice"u8);
                    w.WriteString("type"u8, "function"u8);
                    w.WriteStartObject("function"u8);
                    w.WriteString("name"u8, name);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case RequiredChatToolMode:
                    w.WriteString("tool_choice"u8, "required"u8);
                    break;
            }
        }
        if (hasTools && options.AllowMultipleToolCalls is { } parallel)
        {
            w.WriteBoolean("parallel_tool_calls"u8, parallel);
        }

        switch (options.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema } json:
                w.WriteStartObject("response_format"u8);
                w.WriteString("type"u8, "json_schema"u8);
                w.WriteStartObject("json_schema"u8);
                w.WriteString("name"u8, json.SchemaName ?? "response");
                if (json.SchemaDescription is { } description)
                {
                    w.WriteString("description"u8, description);
                }

                bool isStrict = !(options.AdditionalProperties?.TryGetValue(StrictJsonSchemaKey, out object? strict) == true && strict is false);
                w.WritePropertyName("schema"u8);
                if (isStrict)
                {
                    // Strict mode has its own rules (every object closed, every property required); the schema is rewritten to
                    // them, and what they cannot express fails here, before the request is sent.
                    OpenAIStrictSchema.Write(w, schema);
                }
                else
                {
                    schema.WriteTo(w);
                }

                w.WriteBoolean("strict"u8, isStrict);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case ChatResponseFormatJson:
                w.WriteStartObject("response_format"u8);
                w.WriteString("type"u8, "json_object"u8);
                w.WriteEndObject();
                break;
        }

        if (options.AdditionalProperties is { Count: > 0 } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (key.StartsWith("llmkit.", StringComparison.Ordinal))
                {
                    continue;
                }

                w.WritePropertyName(key);
                WriteValue(w, value);
            }
        }
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message, OpenAICompatibilityProfile profile)
    {
        var role = message.Role;
        if (role == ChatRole.Tool)
        {
            // One tool message per result, as Chat Completions expects.
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    w.WriteStartObject();
                    w.WriteString("role"u8, "tool"u8);
                    w.WriteString("tool_call_id"u8, result.CallId);
                    w.WriteString("content"u8, ResultToString(result));
                    w.WriteEndObject();
                }
            }

            return;
        }

        string roleName = role == ChatRole.System ? "system"
            : role == ChatRole.Assistant ? "assistant"
            : role == ChatRole.User ? "user"
            : string.Equals(role.Value, "developer", StringComparison.OrdinalIgnoreCase) ? (profile.SupportsDeveloperRole ? "developer" : "system")
            : role.Value;

        w.WriteStartObject();
        w.WriteString("role"u8, roleName);
        if (message.AuthorName is { Length: > 0 } author)
        {
            w.WriteString("name"u8, author);
        }

        var contents = message.Contents;
        int textCount = 0, otherCount = 0, callCount = 0;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent:
                    textCount++;
                    break;
                case FunctionCallContent:
                    callCount++;
                    break;
                case DataContent or UriContent:
                    otherCount++;
                    break;
            }
        }

        if (otherCount == 0 && textCount <= 1 || roleName is "assistant" or "system" or "developer")
        {
            // A plain string when there is only text (assistant and system content must be text).
            string? text = null;
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextContent t)
                {
                    text = text is null ? t.Text : text + t.Text;
                }
            }

            if (text is null && callCount > 0)
            {
                w.WriteNull("content"u8);
            }
            else
            {
                w.WriteString("content"u8, text ?? string.Empty);
            }
        }
        else
        {
            w.WriteStartArray("content"u8);
            for (int i = 0; i < contents.Count; i++)
            {
                switch (contents[i])
                {
                    case TextContent t:
                        w.WriteStartObject();
                        w.WriteString("type"u8, "text"u8);
                        w.WriteString("text"u8, t.Text);
                        w.WriteEndObject();
                        break;
                    case DataContent data when data.HasTopLevelMediaType("image"):
                        WriteImage(w, data.Uri, data.AdditionalProperties);
                        break;
                    case UriContent uri when uri.HasTopLevelMediaType("image"):
                        WriteImage(w, uri.Uri.ToString(), uri.AdditionalProperties);
                        break;
                    case DataContent audio when audio.HasTopLevelMediaType("audio"):
                        w.WriteStartObject();
                        w.WriteString("type"u8, "input_audio"u8);
                        w.WriteStartObject("input_audio"u8);
                        w.WriteBase64String("data"u8, audio.Data.Span);
                        w.WriteString("format"u8, audio.MediaType.EndsWith("wav", StringComparison.OrdinalIgnoreCase) ? "wav" : "mp3");
                        w.WriteEndObject();
                        w.WriteEndObject();
                        break;
                    case DataContent file:
                        w.WriteStartObject();
                        w.WriteString("type"u8, "file"u8);
                        w.WriteStartObject("file"u8);
                        w.WriteString("file_data"u8, file.Uri);
                        if (file.Name is { } fileName)
                        {
                            w.WriteString("filename"u8, fileName);
                        }

                        w.WriteEndObject();
                        w.WriteEndObject();
                        break;
                }
            }

            w.WriteEndArray();
        }

        if (callCount > 0 && roleName == "assistant")
        {
            w.WriteStartArray("tool_calls"u8);
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is FunctionCallContent call)
                {
                    w.WriteStartObject();
                    w.WriteString("id"u8, call.CallId);
                    w.WriteString("type"u8, "function"u8);
                    w.WriteStartObject("function"u8);
                    w.WriteString("name"u8, call.Name);
                    w.WriteString("arguments"u8, ArgumentsToString(call));
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter w, string url, AdditionalPropertiesDictionary? properties)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "image_url"u8);
        w.WriteStartObject("image_url"u8);
        w.WriteString("url"u8, url);
        if (properties?.TryGetValue("detail", out object? detail) == true && detail is string d)
        {
            w.WriteString("detail"u8, d);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Returns the arguments as the provider sent them when known, else serialises the dictionary.</summary>
    internal static string ArgumentsToString(FunctionCallContent call)
    {
        if (call.RawRepresentation is string rawArguments)
        {
            return rawArguments;
        }

        if (call.Arguments is null)
        {
            return "{}";
        }

        var buffer = new PooledBufferWriter();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var (key, value) in call.Arguments)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, value);
                }

                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    internal static string ResultToString(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception is { } ex ? "Error: " + ex.Message : string.Empty,
        string s => s,
        JsonElement e => e.GetRawText(),
        var other => JsonSerializer.Serialize(other, CompactOptions.GetTypeInfo(other.GetType())),
    };

    /// <summary>Writes any value as JSON (see <see cref="JsonValueWriter"/>), the rest with MEAI's JSON options.</summary>
    internal static void WriteValue(Utf8JsonWriter w, object? value) => JsonValueWriter.Write(w, value, CompactOptions);

    private static JsonSerializerOptions CreateCompactOptions()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }
}
