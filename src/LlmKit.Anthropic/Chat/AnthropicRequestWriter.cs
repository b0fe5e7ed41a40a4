using System.Globalization;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>What one Messages request (or token-count request) is made of.</summary>
internal readonly record struct AnthropicRequest(
    string Model,
    IEnumerable<ChatMessage> Messages,
    ChatOptions? Options,
    int MaxTokens,
    bool Stream,
    AnthropicThinkingStyle ThinkingStyle,
    bool CountOnly);

/// <summary>
/// Writes Anthropic Messages request bodies (<c>POST /v1/messages</c> and <c>/v1/messages/count_tokens</c>) with
/// <see cref="Utf8JsonWriter"/> into pooled buffers.
/// </summary>
internal static class AnthropicRequestWriter
{
    /// <summary>The system text added for <c>ChatResponseFormat.Json</c> without a schema (Anthropic has no schema-less JSON mode).</summary>
    internal const string JsonInstruction = "Respond with a single valid JSON value and nothing else: no prose, no code fences.";

    private const int MinThinkingBudget = 1024;

    public static PooledJsonContent Write(AnthropicRequest request)
        => PooledJsonContent.Create(request, static (w, r) => WriteBody(w, r));

    internal static void WriteBody(Utf8JsonWriter w, AnthropicRequest r)
    {
        var options = r.Options;
        var extras = options?.AdditionalProperties;
        var messages = r.Messages as IList<ChatMessage> ?? r.Messages.ToList();

        w.WriteStartObject();
        w.WriteString("model"u8, r.Model);
        if (!r.CountOnly && !Has(extras, "max_tokens"))
        {
            w.WriteNumber("max_tokens"u8, r.MaxTokens);
        }

        if (!Has(extras, "system"))
        {
            WriteSystem(w, messages, options);
        }

        WriteMessages(w, messages);

        if (options is not null)
        {
            if (!r.CountOnly)
            {
                WriteSampling(w, options, extras);
            }

            bool hasTools = !Has(extras, "tools") && WriteTools(w, options.Tools);
            if (hasTools && !Has(extras, "tool_choice"))
            {
                WriteToolChoice(w, options);
            }

            string? effort = WriteThinking(w, r, options, extras);
            if (!r.CountOnly)
            {
                WriteOutputConfig(w, options, extras, effort);
                if (extras is not null && extras.TryGetValue(AnthropicPropertyNames.CacheControl, out object? cache) && cache is not null && !Has(extras, "cache_control"))
                {
                    w.WritePropertyName("cache_control"u8);
                    WriteCacheControl(w, cache);
                }

                WriteExtras(w, extras);
            }
        }

        if (r.Stream)
        {
            w.WriteBoolean("stream"u8, true);
        }

        w.WriteEndObject();
    }

    private static bool Has(AdditionalPropertiesDictionary? extras, string key) => extras is not null && extras.ContainsKey(key);

    private static bool IsSystem(ChatRole role)
        => role == ChatRole.System || string.Equals(role.Value, "developer", StringComparison.OrdinalIgnoreCase);

    private static void WriteSystem(Utf8JsonWriter w, IList<ChatMessage> messages, ChatOptions? options)
    {
        bool open = false;
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            Open(w, ref open);
            WriteTextBlock(w, instructions, null);
        }

        for (int m = 0; m < messages.Count; m++)
        {
            var message = messages[m];
            if (!IsSystem(message.Role))
            {
                continue;
            }

            var contents = message.Contents;
            int last = -1;
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextContent { Text.Length: > 0 })
                {
                    last = i;
                }
            }

            object? messageCache = GetCacheControl(message.AdditionalProperties);
            for (int i = 0; i <= last; i++)
            {
                if (contents[i] is TextContent { Text.Length: > 0 } text)
                {
                    Open(w, ref open);
                    WriteTextBlock(w, text.Text, GetCacheControl(text.AdditionalProperties) ?? (i == last ? messageCache : null));
                }
            }
        }

        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: null })
        {
            Open(w, ref open);
            WriteTextBlock(w, JsonInstruction, null);
        }

        if (open)
        {
            w.WriteEndArray();
        }

        static void Open(Utf8JsonWriter w, ref bool open)
        {
            if (!open)
            {
                w.WritePropertyName("system"u8);
                w.WriteStartArray();
                open = true;
            }
        }
    }

    private static void WriteMessages(Utf8JsonWriter w, IList<ChatMessage> messages)
    {
        w.WritePropertyName("messages"u8);
        w.WriteStartArray();
        bool? openIsAssistant = null;
        for (int m = 0; m < messages.Count; m++)
        {
            var message = messages[m];
            if (IsSystem(message.Role))
            {
                continue;
            }

            var contents = message.Contents;
            int last = -1;
            for (int i = contents.Count - 1; i >= 0; i--)
            {
                if (IsWritable(contents[i]))
                {
                    last = i;
                    break;
                }
            }

            if (last < 0)
            {
                continue;
            }

            // Consecutive messages of one wire role (tool results, then the user's next text) become one turn.
            bool assistant = message.Role == ChatRole.Assistant;
            if (openIsAssistant != assistant)
            {
                if (openIsAssistant is not null)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteStartObject();
                w.WriteString("role"u8, assistant ? "assistant"u8 : "user"u8);
                w.WritePropertyName("content"u8);
                w.WriteStartArray();
                openIsAssistant = assistant;
            }

            object? messageCache = GetCacheControl(message.AdditionalProperties);
            for (int i = 0; i <= last; i++)
            {
                var content = contents[i];
                if (IsWritable(content))
                {
                    WriteContent(w, content, GetCacheControl(content.AdditionalProperties) ?? (i == last ? messageCache : null));
                }
            }
        }

        if (openIsAssistant is not null)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static bool IsWritable(AIContent content) => content switch
    {
        TextContent text => !string.IsNullOrEmpty(text.Text),
        TextReasoningContent reasoning => !string.IsNullOrEmpty(reasoning.ProtectedData),
        DataContent or UriContent or HostedFileContent or FunctionCallContent or FunctionResultContent => true,
        _ => content.GetType() == typeof(AIContent) && content.RawRepresentation is JsonElement { ValueKind: JsonValueKind.Object },
    };

    private static void WriteContent(Utf8JsonWriter w, AIContent content, object? cache)
    {
        switch (content)
        {
            case TextContent text:
                WriteTextBlock(w, text.Text, cache);
                break;

            case TextReasoningContent reasoning:
                w.WriteStartObject();
                if (reasoning.AdditionalProperties?.TryGetValue(AnthropicPropertyNames.RedactedThinking, out object? redacted) == true && redacted is true)
                {
                    w.WriteString("type"u8, "redacted_thinking"u8);
                    w.WriteString("data"u8, reasoning.ProtectedData);
                }
                else
                {
                    w.WriteString("type"u8, "thinking"u8);
                    w.WriteString("thinking"u8, reasoning.Text ?? string.Empty);
                    w.WriteString("signature"u8, reasoning.ProtectedData);
                }

                // Anthropic does not accept cache_control on thinking blocks.
                w.WriteEndObject();
                break;

            case DataContent data:
                WriteData(w, data, cache);
                break;

            case UriContent uri:
                w.WriteStartObject();
                w.WriteString("type"u8, uri.HasTopLevelMediaType("image") ? "image"u8 : "document"u8);
                w.WritePropertyName("source"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "url"u8);
                w.WriteString("url"u8, uri.Uri.AbsoluteUri);
                w.WriteEndObject();
                WriteCacheControlProperty(w, cache);
                w.WriteEndObject();
                break;

            case HostedFileContent file:
                w.WriteStartObject();
                w.WriteString("type"u8, file.HasTopLevelMediaType("image") ? "image"u8 : "document"u8);
                w.WritePropertyName("source"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "file"u8);
                w.WriteString("file_id"u8, file.FileId);
                w.WriteEndObject();
                WriteCacheControlProperty(w, cache);
                w.WriteEndObject();
                break;

            case FunctionCallContent call:
                w.WriteStartObject();
                w.WriteString("type"u8, "tool_use"u8);
                w.WriteString("id"u8, call.CallId);
                w.WriteString("name"u8, call.Name);
                w.WritePropertyName("input"u8);
                w.WriteStartObject();
                if (call.Arguments is { } arguments)
                {
                    foreach (var (name, value) in arguments)
                    {
                        w.WritePropertyName(name);
                        WriteValue(w, value);
                    }
                }

                w.WriteEndObject();
                WriteCacheControlProperty(w, cache);
                w.WriteEndObject();
                break;

            case FunctionResultContent result:
                WriteToolResult(w, result, cache);
                break;

            default:
                // A block this version has no type for (server tool use, web search results...), kept raw from a response.
                ((JsonElement)content.RawRepresentation!).WriteTo(w);
                break;
        }
    }

    private static void WriteTextBlock(Utf8JsonWriter w, string text, object? cache)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "text"u8);
        w.WriteString("text"u8, text);
        WriteCacheControlProperty(w, cache);
        w.WriteEndObject();
    }

    private static void WriteData(Utf8JsonWriter w, DataContent data, object? cache)
    {
        string mediaType = data.MediaType;
        bool image = data.HasTopLevelMediaType("image");
        bool pdf = string.Equals(mediaType, "application/pdf", StringComparison.OrdinalIgnoreCase);
        bool text = data.HasTopLevelMediaType("text");
        if (!image && !pdf && !text)
        {
            throw new NotSupportedException($"Anthropic does not accept '{mediaType}' content. Send images (image/jpeg, image/png, image/gif, image/webp), PDF documents or plain text.");
        }

        w.WriteStartObject();
        w.WriteString("type"u8, image ? "image"u8 : "document"u8);
        w.WritePropertyName("source"u8);
        w.WriteStartObject();
        if (text)
        {
            w.WriteString("type"u8, "text"u8);
            w.WriteString("media_type"u8, "text/plain"u8);
            w.WriteString("data"u8, data.Data.Span);
        }
        else
        {
            w.WriteString("type"u8, "base64"u8);
            w.WriteString("media_type"u8, mediaType);
            w.WriteBase64String("data"u8, data.Data.Span);
        }

        w.WriteEndObject();
        if (!image && !string.IsNullOrEmpty(data.Name))
        {
            w.WriteString("title"u8, data.Name);
        }

        WriteCacheControlProperty(w, cache);
        w.WriteEndObject();
    }

    private static void WriteToolResult(Utf8JsonWriter w, FunctionResultContent result, object? cache)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "tool_result"u8);
        w.WriteString("tool_use_id"u8, result.CallId);
        switch (result.Result)
        {
            case null:
                break;
            case string s:
                w.WriteString("content"u8, s);
                break;
            case AIContent single:
                w.WritePropertyName("content"u8);
                w.WriteStartArray();
                WriteToolResultBlock(w, single);
                w.WriteEndArray();
                break;
            case IEnumerable<AIContent> many:
                w.WritePropertyName("content"u8);
                w.WriteStartArray();
                foreach (var item in many)
                {
                    WriteToolResultBlock(w, item);
                }

                w.WriteEndArray();
                break;
            case JsonElement { ValueKind: JsonValueKind.String } element:
                w.WriteString("content"u8, element.GetString());
                break;
            case JsonElement element:
                w.WriteString("content"u8, element.GetRawText());
                break;
            case bool b:
                w.WriteString("content"u8, b ? "true"u8 : "false"u8);
                break;
            case IFormattable formattable when result.Result.GetType().IsPrimitive || result.Result is decimal:
                w.WriteString("content"u8, formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                w.WriteString("content"u8, JsonSerializer.SerializeToUtf8Bytes(result.Result, AnthropicJsonContext.SerializerOptions.GetTypeInfo(result.Result.GetType())));
                break;
        }

        if (result.Exception is not null)
        {
            w.WriteBoolean("is_error"u8, true);
        }

        WriteCacheControlProperty(w, cache);
        w.WriteEndObject();
    }

    private static void WriteToolResultBlock(Utf8JsonWriter w, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                WriteTextBlock(w, text.Text ?? string.Empty, GetCacheControl(text.AdditionalProperties));
                break;
            case DataContent or UriContent or HostedFileContent:
                WriteContent(w, content, GetCacheControl(content.AdditionalProperties));
                break;
            default:
                // Tool results hold text and images only; anything else goes as its JSON text.
                WriteTextBlock(w, JsonSerializer.Serialize(content, AnthropicJsonContext.SerializerOptions.GetTypeInfo(typeof(AIContent))), null);
                break;
        }
    }

    private static void WriteSampling(Utf8JsonWriter w, ChatOptions options, AdditionalPropertiesDictionary? extras)
    {
        if (options.Temperature is { } temperature && !Has(extras, "temperature"))
        {
            w.WriteNumber("temperature"u8, temperature);
        }

        if (options.TopP is { } topP && !Has(extras, "top_p"))
        {
            w.WriteNumber("top_p"u8, topP);
        }

        if (options.TopK is { } topK && !Has(extras, "top_k"))
        {
            w.WriteNumber("top_k"u8, topK);
        }

        if (options.StopSequences is { Count: > 0 } stops && !Has(extras, "stop_sequences"))
        {
            w.WritePropertyName("stop_sequences"u8);
            w.WriteStartArray();
            for (int i = 0; i < stops.Count; i++)
            {
                w.WriteStringValue(stops[i]);
            }

            w.WriteEndArray();
        }
    }

    private static bool WriteTools(Utf8JsonWriter w, IList<AITool>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return false;
        }

        bool any = false;
        for (int i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            if (tool is not (AIFunctionDeclaration or HostedWebSearchTool))
            {
                continue;
            }

            if (!any)
            {
                w.WritePropertyName("tools"u8);
                w.WriteStartArray();
                any = true;
            }

            w.WriteStartObject();
            if (tool is AIFunctionDeclaration function)
            {
                w.WriteString("name"u8, function.Name);
                if (!string.IsNullOrEmpty(function.Description))
                {
                    w.WriteString("description"u8, function.Description);
                }

                w.WritePropertyName("input_schema"u8);
                if (function.JsonSchema.ValueKind == JsonValueKind.Object)
                {
                    function.JsonSchema.WriteTo(w);
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteString("type"u8, "object"u8);
                    w.WriteStartObject("properties"u8);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                if (tool.AdditionalProperties.TryGetValue(AnthropicPropertyNames.Strict, out object? strict) && strict is true)
                {
                    w.WriteBoolean("strict"u8, true);
                }
            }
            else
            {
                w.WriteString("type"u8, "web_search_20250305"u8);
                w.WriteString("name"u8, "web_search"u8);
            }

            if (tool.AdditionalProperties.TryGetValue(AnthropicPropertyNames.CacheControl, out object? cache) && cache is not null)
            {
                w.WritePropertyName("cache_control"u8);
                WriteCacheControl(w, cache);
            }

            w.WriteEndObject();
        }

        if (any)
        {
            w.WriteEndArray();
        }

        return any;
    }

    private static void WriteToolChoice(Utf8JsonWriter w, ChatOptions options)
    {
        bool disableParallel = options.AllowMultipleToolCalls == false;
        string? name = (options.ToolMode as RequiredChatToolMode)?.RequiredFunctionName;
        ReadOnlySpan<byte> type = options.ToolMode switch
        {
            NoneChatToolMode => "none"u8,
            RequiredChatToolMode => name is null ? "any"u8 : "tool"u8,
            AutoChatToolMode => "auto"u8,
            _ => disableParallel ? "auto"u8 : default,
        };

        if (type.IsEmpty)
        {
            return;
        }

        w.WritePropertyName("tool_choice"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        if (name is not null)
        {
            w.WriteString("name"u8, name);
        }

        if (disableParallel && options.ToolMode is not NoneChatToolMode)
        {
            w.WriteBoolean("disable_parallel_tool_use"u8, true);
        }

        w.WriteEndObject();
    }

    /// <summary>Writes <c>thinking</c> and returns the effort to send as <c>output_config.effort</c>, if any.</summary>
    private static string? WriteThinking(Utf8JsonWriter w, AnthropicRequest r, ChatOptions options, AdditionalPropertiesDictionary? extras)
    {
        string? effortOverride = extras is not null && extras.TryGetValue(AnthropicPropertyNames.Effort, out object? e) ? e?.ToString() : null;
        if (Has(extras, "thinking"))
        {
            return effortOverride;
        }

        if (extras is not null && extras.TryGetValue(AnthropicPropertyNames.ThinkingBudgetTokens, out object? b) && ToInt(b) is int explicitBudget)
        {
            WriteEnabled(w, explicitBudget);
            return effortOverride;
        }

        if (options.Reasoning is not { } reasoning || (reasoning.Effort is null && reasoning.Output is null))
        {
            return effortOverride;
        }

        if (reasoning.Effort == ReasoningEffort.None)
        {
            w.WritePropertyName("thinking"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "disabled"u8);
            w.WriteEndObject();
            return effortOverride;
        }

        var style = r.ThinkingStyle == AnthropicThinkingStyle.Auto
            ? (PredatesAdaptiveThinking(r.Model) ? AnthropicThinkingStyle.Budgeted : AnthropicThinkingStyle.Adaptive)
            : r.ThinkingStyle;

        if (style == AnthropicThinkingStyle.Budgeted)
        {
            if (reasoning.Effort is not { } effort)
            {
                // Only an output mode was asked for; budgeted thinking has no switch for it.
                return effortOverride;
            }

            int budget = effort switch
            {
                ReasoningEffort.Low => 2048,
                ReasoningEffort.Medium => 8192,
                ReasoningEffort.High => 16384,
                _ => 32768,
            };

            // budget_tokens must be at least 1024 and below max_tokens; leave room for the answer.
            budget = Math.Min(budget, r.MaxTokens - MinThinkingBudget);
            if (budget >= MinThinkingBudget)
            {
                WriteEnabled(w, budget);
            }

            return effortOverride;
        }

        w.WritePropertyName("thinking"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "adaptive"u8);
        if (reasoning.Output is { } output)
        {
            w.WriteString("display"u8, output == ReasoningOutput.None ? "omitted"u8 : "summarized"u8);
        }

        w.WriteEndObject();
        return effortOverride ?? reasoning.Effort switch
        {
            ReasoningEffort.Low => "low",
            ReasoningEffort.Medium => "medium",
            ReasoningEffort.High => "high",
            ReasoningEffort.ExtraHigh => "xhigh",
            _ => null,
        };

        static void WriteEnabled(Utf8JsonWriter w, int budget)
        {
            w.WritePropertyName("thinking"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "enabled"u8);
            w.WriteNumber("budget_tokens"u8, budget);
            w.WriteEndObject();
        }
    }

    /// <summary>
    /// Whether a model id names a model that predates adaptive thinking (and takes <c>budget_tokens</c>): Claude 3.x,
    /// Opus 4, 4.1 and 4.5, Sonnet 4 and 4.5, Haiku 4.5, in their Anthropic, Bedrock and Vertex spellings.
    /// </summary>
    internal static bool PredatesAdaptiveThinking(string model)
    {
        ReadOnlySpan<string> markers =
        [
            "claude-3", "opus-4-0", "opus-4-1", "opus-4-5", "opus-4-2025", "opus-4@", "opus-4-v",
            "sonnet-4-0", "sonnet-4-5", "sonnet-4-2025", "sonnet-4@", "sonnet-4-v", "haiku-4-5",
        ];
        foreach (string marker in markers)
        {
            if (model.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return model.EndsWith("opus-4", StringComparison.OrdinalIgnoreCase) || model.EndsWith("sonnet-4", StringComparison.OrdinalIgnoreCase);
    }

    private static void WriteOutputConfig(Utf8JsonWriter w, ChatOptions options, AdditionalPropertiesDictionary? extras, string? effort)
    {
        // Structured outputs: `output_config.format` = {"type":"json_schema","schema":{...}}, generally available without a
        // beta header (it replaced the beta `output_format` field and the `structured-outputs-2025-11-13` header). Source:
        // Anthropic's "Structured outputs" guide, platform.claude.com/docs/en/build-with-claude/structured-outputs.
        JsonElement? schema = options.ResponseFormat is ChatResponseFormatJson { Schema: { } s } ? s : null;
        if ((schema is null && effort is null) || Has(extras, "output_config"))
        {
            return;
        }

        w.WritePropertyName("output_config"u8);
        w.WriteStartObject();
        if (schema is { } value)
        {
            w.WritePropertyName("format"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "json_schema"u8);
            w.WritePropertyName("schema"u8);
            value.WriteTo(w);
            w.WriteEndObject();
        }

        if (effort is not null)
        {
            w.WriteString("effort"u8, effort);
        }

        w.WriteEndObject();
    }

    private static void WriteExtras(Utf8JsonWriter w, AdditionalPropertiesDictionary? extras)
    {
        if (extras is null)
        {
            return;
        }

        foreach (var (key, value) in extras)
        {
            if (key.StartsWith("llmkit.", StringComparison.Ordinal)
                || key.StartsWith("anthropic.", StringComparison.Ordinal)
                || key is "model" or "messages" or "stream")
            {
                continue;
            }

            w.WritePropertyName(key);
            WriteValue(w, value);
        }
    }

    private static object? GetCacheControl(AdditionalPropertiesDictionary? properties)
        => properties is not null && properties.TryGetValue(AnthropicPropertyNames.CacheControl, out object? value) ? value : null;

    private static void WriteCacheControlProperty(Utf8JsonWriter w, object? cache)
    {
        if (cache is not null)
        {
            w.WritePropertyName("cache_control"u8);
            WriteCacheControl(w, cache);
        }
    }

    /// <summary>Writes a cache_control value: a type name (<c>"ephemeral"</c>) or the whole object in any JSON form.</summary>
    internal static void WriteCacheControl(Utf8JsonWriter w, object value)
    {
        if (value is string s)
        {
            string trimmed = s.Trim();
            if (trimmed.StartsWith('{'))
            {
                using var document = JsonDocument.Parse(trimmed);
                document.RootElement.WriteTo(w);
                return;
            }

            w.WriteStartObject();
            w.WriteString("type"u8, trimmed);
            w.WriteEndObject();
            return;
        }

        WriteValue(w, value);
    }

    private static int? ToInt(object? value) => value switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out int v) => v,
        string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) => v,
        _ => null,
    };

    /// <summary>Writes an arbitrary value as JSON (see <see cref="JsonValueWriter"/>), anything uncommon with Anthropic's JSON options.</summary>
    internal static void WriteValue(Utf8JsonWriter w, object? value) => JsonValueWriter.Write(w, value, AnthropicJsonContext.SerializerOptions);
}
