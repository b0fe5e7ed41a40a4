using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>What the request writer needs besides the messages and options.</summary>
/// <param name="Model">The model id, as sent in the path.</param>
/// <param name="ThinkingAllowed">Whether <c>thinkingConfig</c> may be derived from <c>ChatOptions.Reasoning</c> (the registry does not say the model cannot reason).</param>
internal readonly record struct GeminiRequestSettings(string Model, bool ThinkingAllowed);

/// <summary>
/// Writes <c>generateContent</c> (and <c>countTokens</c>) request bodies straight to UTF-8 JSON with
/// <see cref="Utf8JsonWriter"/> into pooled buffers.
/// </summary>
internal static class GeminiRequestWriter
{
    /// <summary>Prefix of the call ids LlmKit makes up when Gemini sends none; such ids are never sent back.</summary>
    public const string GeneratedCallIdPrefix = "llmkit_gemini_";

    /// <summary>
    /// The signature Gemini's thought-signature guide documents for function calls that no Gemini model produced
    /// (a conversation moved from another provider): it tells Gemini 3 to skip the validation.
    /// </summary>
    public const string SkipSignatureValidation = "skip_thought_signature_validator";

    public static PooledJsonContent WriteGenerateContent(IEnumerable<ChatMessage> messages, ChatOptions? options, GeminiRequestSettings settings)
        => PooledJsonContent.Create((messages, options, settings), static (w, s) => WriteBody(w, s.messages, s.options, s.settings, countTokens: false));

    /// <summary>Writes <c>{"generateContentRequest": {...}}</c> so that the count includes the system instruction and tools.</summary>
    public static PooledJsonContent WriteCountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, GeminiRequestSettings settings)
        => PooledJsonContent.Create((messages, options, settings), static (w, s) =>
        {
            w.WriteStartObject();
            w.WritePropertyName("generateContentRequest"u8);
            WriteBody(w, s.messages, s.options, s.settings, countTokens: true);
            w.WriteEndObject();
        });

    private static void WriteBody(Utf8JsonWriter w, IEnumerable<ChatMessage> messages, ChatOptions? options, GeminiRequestSettings settings, bool countTokens)
    {
        var extra = options?.AdditionalProperties;
        w.WriteStartObject();
        if (countTokens)
        {
            w.WriteString("model"u8, ModelResource(settings.Model));
        }

        List<string>? systemTexts = null;
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            (systemTexts = []).Add(instructions);
        }

        if (!HasPassthrough(extra, "contents"))
        {
            WriteContents(w, messages, IsLevelModel(settings.Model), ref systemTexts);
        }

        if (systemTexts is { Count: > 0 } && !HasPassthrough(extra, "systemInstruction"))
        {
            w.WriteStartObject("systemInstruction"u8);
            w.WriteStartArray("parts"u8);
            foreach (string text in systemTexts)
            {
                w.WriteStartObject();
                w.WriteString("text"u8, text);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        bool hasFunctions = WriteTools(w, options, extra);
        if (hasFunctions && options?.ToolMode is { } mode && !HasPassthrough(extra, "toolConfig"))
        {
            w.WriteStartObject("toolConfig"u8);
            w.WriteStartObject("functionCallingConfig"u8);
            switch (mode)
            {
                case NoneChatToolMode:
                    w.WriteString("mode"u8, "NONE"u8);
                    break;
                case RequiredChatToolMode { RequiredFunctionName: { } name }:
                    w.WriteString("mode"u8, "ANY"u8);
                    w.WriteStartArray("allowedFunctionNames"u8);
                    w.WriteStringValue(name);
                    w.WriteEndArray();
                    break;
                case RequiredChatToolMode:
                    w.WriteString("mode"u8, "ANY"u8);
                    break;
                default:
                    w.WriteString("mode"u8, "AUTO"u8);
                    break;
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        WriteGenerationConfig(w, options, settings, extra);

        if (extra is { Count: > 0 })
        {
            foreach (var (key, value) in extra)
            {
                if (key.StartsWith("llmkit.", StringComparison.Ordinal) || key is "generationConfig" or "tools")
                {
                    continue;
                }

                w.WritePropertyName(key);
                GeminiJson.WriteValue(w, value);
            }
        }

        w.WriteEndObject();
    }

    private static bool HasPassthrough(AdditionalPropertiesDictionary? extra, string key) => extra is not null && extra.ContainsKey(key);

    internal static string ModelResource(string model)
        => model.Contains('/', StringComparison.Ordinal) ? model : "models/" + model;

    private static void WriteContents(Utf8JsonWriter w, IEnumerable<ChatMessage> messages, bool signCalls, ref List<string>? systemTexts)
    {
        w.WriteStartArray("contents"u8);
        Dictionary<string, string>? callNames = null;
        string? openRole = null;
        foreach (var message in messages)
        {
            if (message is null)
            {
                continue;
            }

            var role = message.Role;
            if (role == ChatRole.System || string.Equals(role.Value, "developer", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var content in message.Contents)
                {
                    if (content is TextContent { Text.Length: > 0 } text)
                    {
                        (systemTexts ??= []).Add(text.Text);
                    }
                }

                continue;
            }

            string geminiRole = role == ChatRole.Assistant ? "model" : "user";
            if (!HasWritableContent(message.Contents))
            {
                continue;
            }

            if (!string.Equals(openRole, geminiRole, StringComparison.Ordinal))
            {
                if (openRole is not null)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteStartObject();
                w.WriteString("role"u8, geminiRole);
                w.WriteStartArray("parts"u8);
                openRole = geminiRole;
            }

            // Gemini 3 rejects a model turn whose function calls carry no signature; calls that came from another
            // provider get the documented sentinel on the first call.
            FunctionCallContent? sentinelCall = signCalls && geminiRole == "model" ? FirstCallIfUnsigned(message.Contents) : null;
            foreach (var content in message.Contents)
            {
                WritePart(w, content, ref callNames, ReferenceEquals(content, sentinelCall));
            }
        }

        if (openRole is not null)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static FunctionCallContent? FirstCallIfUnsigned(IList<AIContent> contents)
    {
        FunctionCallContent? first = null;
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent call)
            {
                if (GetSignature(call) is not null)
                {
                    return null;
                }

                first ??= call;
            }
        }

        return first;
    }

    private static bool HasWritableContent(IList<AIContent> contents)
    {
        for (int i = 0; i < contents.Count; i++)
        {
            if (IsWritable(contents[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWritable(AIContent content) => content switch
    {
        TextContent t => t.Text.Length > 0 || GetSignature(t) is not null,
        TextReasoningContent r => r.Text.Length > 0 || GetSignature(r) is not null,
        DataContent or UriContent or HostedFileContent or FunctionCallContent or FunctionResultContent => true,
        _ => content.GetType() == typeof(AIContent) && content.RawRepresentation is JsonElement { ValueKind: JsonValueKind.Object },
    };

    private static void WritePart(Utf8JsonWriter w, AIContent content, ref Dictionary<string, string>? callNames, bool sentinel)
    {
        switch (content)
        {
            case TextContent text when text.Text.Length > 0 || GetSignature(text) is not null:
                // Gemini rejects empty text parts; one that only carries a signature is what Gemini itself sends.
                w.WriteStartObject();
                w.WriteString("text"u8, text.Text);
                WriteSignature(w, content);
                w.WriteEndObject();
                break;

            case TextReasoningContent reasoning when reasoning.Text.Length > 0 || GetSignature(reasoning) is not null:
                w.WriteStartObject();
                w.WriteString("text"u8, reasoning.Text);
                if (reasoning.Text.Length > 0)
                {
                    w.WriteBoolean("thought"u8, true);
                }

                WriteSignature(w, content);
                w.WriteEndObject();
                break;

            case DataContent data:
                w.WriteStartObject();
                w.WriteStartObject("inlineData"u8);
                w.WriteString("mimeType"u8, data.MediaType);
                w.WriteString("data"u8, data.Base64Data.Span);
                w.WriteEndObject();
                WriteSignature(w, content);
                w.WriteEndObject();
                break;

            case UriContent uri:
                w.WriteStartObject();
                w.WriteStartObject("fileData"u8);
                w.WriteString("mimeType"u8, uri.MediaType);
                w.WriteString("fileUri"u8, uri.Uri.ToString());
                w.WriteEndObject();
                WriteSignature(w, content);
                w.WriteEndObject();
                break;

            case HostedFileContent file:
                w.WriteStartObject();
                w.WriteStartObject("fileData"u8);
                w.WriteString("mimeType"u8, file.MediaType ?? "application/octet-stream");
                w.WriteString("fileUri"u8, file.FileId);
                w.WriteEndObject();
                w.WriteEndObject();
                break;

            case FunctionCallContent call:
                (callNames ??= new(StringComparer.Ordinal))[call.CallId] = call.Name;
                w.WriteStartObject();
                w.WriteStartObject("functionCall"u8);
                w.WriteString("name"u8, call.Name);
                w.WritePropertyName("args"u8);
                w.WriteStartObject();
                if (call.Arguments is { } arguments)
                {
                    foreach (var (key, value) in arguments)
                    {
                        w.WritePropertyName(key);
                        GeminiJson.WriteValue(w, value);
                    }
                }

                w.WriteEndObject();
                if (IsProviderCallId(call.CallId))
                {
                    w.WriteString("id"u8, call.CallId);
                }

                w.WriteEndObject();
                if (sentinel)
                {
                    w.WriteString("thoughtSignature"u8, SkipSignatureValidation);
                }
                else
                {
                    WriteSignature(w, content);
                }

                w.WriteEndObject();
                break;

            case FunctionResultContent result:
                string name = ResolveFunctionName(result, callNames);
                w.WriteStartObject();
                w.WriteStartObject("functionResponse"u8);
                w.WriteString("name"u8, name);
                w.WritePropertyName("response"u8);
                WriteFunctionResponse(w, result);
                if (IsProviderCallId(result.CallId))
                {
                    w.WriteString("id"u8, result.CallId);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                break;

            default:
                if (content.GetType() == typeof(AIContent) && content.RawRepresentation is JsonElement { ValueKind: JsonValueKind.Object } raw)
                {
                    // A part LlmKit does not model (executableCode, codeExecutionResult, ...): sent back as received.
                    raw.WriteTo(w);
                }

                break;
        }
    }

    private static bool IsProviderCallId(string? callId)
        => !string.IsNullOrEmpty(callId) && !callId.StartsWith(GeneratedCallIdPrefix, StringComparison.Ordinal);

    private static string ResolveFunctionName(FunctionResultContent result, Dictionary<string, string>? callNames)
    {
        if (result.CallId is { } id && callNames is not null && callNames.TryGetValue(id, out string? name))
        {
            return name;
        }

        if (result.AdditionalProperties?.TryGetValue(GeminiPropertyNames.FunctionName, out object? stored) == true && stored is string storedName && storedName.Length > 0)
        {
            return storedName;
        }

        throw new ArgumentException(
            $"The conversation holds a FunctionResultContent with call id '{result.CallId}' but no FunctionCallContent with that id before it. Gemini needs the function's name in functionResponse: keep the assistant message with the call in the conversation, or set AdditionalProperties[\"{GeminiPropertyNames.FunctionName}\"] on the result.");
    }

    /// <summary>Writes <c>functionResponse.response</c>: an object as it is, anything else as <c>{"output": value}</c>, failures as <c>{"error": ...}</c>.</summary>
    private static void WriteFunctionResponse(Utf8JsonWriter w, FunctionResultContent result)
    {
        if (result.Exception is { } exception)
        {
            w.WriteStartObject();
            w.WriteString("error"u8, result.Result as string ?? exception.Message);
            w.WriteEndObject();
            return;
        }

        switch (result.Result)
        {
            case null:
                w.WriteStartObject();
                w.WriteEndObject();
                return;
            case JsonElement { ValueKind: JsonValueKind.Object } element:
                element.WriteTo(w);
                return;
            case IDictionary<string, object?> dictionary:
                w.WriteStartObject();
                foreach (var (key, value) in dictionary)
                {
                    w.WritePropertyName(key);
                    GeminiJson.WriteValue(w, value);
                }

                w.WriteEndObject();
                return;
            case string or JsonElement or bool or int or long or double or float or decimal:
                w.WriteStartObject();
                w.WritePropertyName("output"u8);
                GeminiJson.WriteValue(w, result.Result);
                w.WriteEndObject();
                return;
            default:
                using (var buffer = new PooledBufferWriter())
                {
                    GeminiJson.Serialize(buffer, result.Result);
                    var json = buffer.WrittenSpan;
                    if (json.Length > 0 && json[0] == (byte)'{')
                    {
                        w.WriteRawValue(json, skipInputValidation: true);
                    }
                    else
                    {
                        w.WriteStartObject();
                        w.WritePropertyName("output"u8);
                        w.WriteRawValue(json, skipInputValidation: true);
                        w.WriteEndObject();
                    }
                }

                return;
        }
    }

    internal static string? GetSignature(AIContent content)
    {
        if (content is TextReasoningContent { ProtectedData: { Length: > 0 } data })
        {
            return data;
        }

        return content.AdditionalProperties?.TryGetValue(GeminiPropertyNames.ThoughtSignature, out object? value) == true && value is string { Length: > 0 } signature
            ? signature
            : null;
    }

    private static void WriteSignature(Utf8JsonWriter w, AIContent content)
    {
        if (GetSignature(content) is { } signature)
        {
            w.WriteString("thoughtSignature"u8, signature);
        }
    }

    /// <summary>Writes <c>tools</c>; returns whether any function declaration was written.</summary>
    private static bool WriteTools(Utf8JsonWriter w, ChatOptions? options, AdditionalPropertiesDictionary? extra)
    {
        object? extraTools = null;
        bool hasExtraTools = extra is not null && extra.TryGetValue("tools", out extraTools) && extraTools is not null;
        var tools = options?.Tools;
        bool anyFunction = false, anyHosted = false;
        if (tools is not null)
        {
            foreach (var tool in tools)
            {
                anyFunction |= tool is AIFunctionDeclaration;
                anyHosted |= tool is HostedWebSearchTool or HostedCodeInterpreterTool;
            }
        }

        if (!anyFunction && !anyHosted && !hasExtraTools)
        {
            return false;
        }

        w.WriteStartArray("tools"u8);
        if (anyFunction)
        {
            w.WriteStartObject();
            w.WriteStartArray("functionDeclarations"u8);
            foreach (var tool in tools!)
            {
                if (tool is AIFunctionDeclaration function)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, function.Name);
                    if (!string.IsNullOrEmpty(function.Description))
                    {
                        w.WriteString("description"u8, function.Description);
                    }

                    if (function.JsonSchema.ValueKind == JsonValueKind.Object)
                    {
                        w.WritePropertyName("parametersJsonSchema"u8);
                        GeminiJson.WriteSchema(w, function.JsonSchema);
                    }

                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (anyHosted)
        {
            foreach (var tool in tools!)
            {
                if (tool is HostedWebSearchTool)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("googleSearch"u8);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                else if (tool is HostedCodeInterpreterTool)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("codeExecution"u8);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            }
        }

        if (hasExtraTools)
        {
            // Raw tool objects (for example {"urlContext": {}}) appended after LlmKit's own.
            if (extraTools is JsonElement { ValueKind: JsonValueKind.Array } array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    item.WriteTo(w);
                }
            }
            else if (extraTools is System.Collections.IEnumerable items and not string)
            {
                foreach (object? item in items)
                {
                    GeminiJson.WriteValue(w, item);
                }
            }
            else
            {
                GeminiJson.WriteValue(w, extraTools);
            }
        }

        w.WriteEndArray();
        return anyFunction;
    }

    private static void WriteGenerationConfig(Utf8JsonWriter w, ChatOptions? options, GeminiRequestSettings settings, AdditionalPropertiesDictionary? extra)
    {
        w.WriteStartObject("generationConfig"u8);
        JsonElement extraConfig = default;
        bool hasExtraConfig = false;
        if (extra is not null && extra.TryGetValue("generationConfig", out object? raw) && raw is not null)
        {
            extraConfig = raw as JsonElement? ?? GeminiJson.ToElement(raw);
            hasExtraConfig = extraConfig.ValueKind == JsonValueKind.Object;
        }

        // Fields set in the raw generationConfig win over LlmKit's.
        bool Mine(string name) => !hasExtraConfig || !extraConfig.TryGetProperty(name, out _);

        if (Mine("candidateCount"))
        {
            w.WriteNumber("candidateCount"u8, 1);
        }

        if (options is not null)
        {
            if (options.MaxOutputTokens is { } max && Mine("maxOutputTokens"))
            {
                w.WriteNumber("maxOutputTokens"u8, max);
            }

            if (options.Temperature is { } temperature && Mine("temperature"))
            {
                w.WriteNumber("temperature"u8, temperature);
            }

            if (options.TopP is { } topP && Mine("topP"))
            {
                w.WriteNumber("topP"u8, topP);
            }

            if (options.TopK is { } topK && Mine("topK"))
            {
                w.WriteNumber("topK"u8, topK);
            }

            if (options.Seed is { } seed && Mine("seed"))
            {
                w.WriteNumber("seed"u8, seed);
            }

            if (options.PresencePenalty is { } presence && Mine("presencePenalty"))
            {
                w.WriteNumber("presencePenalty"u8, presence);
            }

            if (options.FrequencyPenalty is { } frequency && Mine("frequencyPenalty"))
            {
                w.WriteNumber("frequencyPenalty"u8, frequency);
            }

            if (options.StopSequences is { Count: > 0 } stops && Mine("stopSequences"))
            {
                w.WriteStartArray("stopSequences"u8);
                foreach (string stop in stops)
                {
                    w.WriteStringValue(stop);
                }

                w.WriteEndArray();
            }

            if (options.ResponseFormat is ChatResponseFormatJson json && Mine("responseMimeType"))
            {
                w.WriteString("responseMimeType"u8, "application/json"u8);
                if (json.Schema is { ValueKind: JsonValueKind.Object } schema && Mine("responseJsonSchema") && Mine("responseSchema"))
                {
                    w.WritePropertyName("responseJsonSchema"u8);
                    GeminiJson.WriteSchema(w, schema);
                }
            }

            if (Mine("thinkingConfig"))
            {
                WriteThinkingConfig(w, options, settings);
            }
        }

        if (hasExtraConfig)
        {
            foreach (var property in extraConfig.EnumerateObject())
            {
                property.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// Maps <c>ChatOptions.Reasoning</c> to <c>thinkingConfig</c>: Gemini 3 models get <c>thinkingLevel</c>, others
    /// <c>thinkingBudget</c> (see the README for the table); explicit <see cref="GeminiPropertyNames.ThinkingBudget"/>
    /// and <see cref="GeminiPropertyNames.ThinkingLevel"/> values win.
    /// </summary>
    private static void WriteThinkingConfig(Utf8JsonWriter w, ChatOptions options, GeminiRequestSettings settings)
    {
        var extra = options.AdditionalProperties;
        int? budget = extra?.TryGetValue(GeminiPropertyNames.ThinkingBudget, out object? b) == true ? ToInt(b) : null;
        string? level = extra?.TryGetValue(GeminiPropertyNames.ThinkingLevel, out object? l) == true ? l?.ToString() : null;
        bool? includeThoughts = null;

        if (options.Reasoning is { } reasoning && settings.ThinkingAllowed)
        {
            includeThoughts = reasoning.Output switch
            {
                ReasoningOutput.None => false,
                ReasoningOutput.Summary or ReasoningOutput.Full => true,
                _ => null,
            };

            if (reasoning.Effort is { } effort && budget is null && level is null)
            {
                if (IsLevelModel(settings.Model))
                {
                    level = ThinkingLevelFor(effort, settings.Model);
                }
                else
                {
                    budget = ThinkingBudgetFor(effort, settings.Model);
                }
            }
        }

        if (budget is null && level is null && includeThoughts is null)
        {
            return;
        }

        w.WriteStartObject("thinkingConfig"u8);
        if (includeThoughts is { } include)
        {
            w.WriteBoolean("includeThoughts"u8, include);
        }

        if (level is not null)
        {
            w.WriteString("thinkingLevel"u8, level);
        }
        else if (budget is { } tokens)
        {
            w.WriteNumber("thinkingBudget"u8, tokens);
        }

        w.WriteEndObject();
    }

    /// <summary>Gemini 3 and later take <c>thinkingLevel</c>; 2.5 and earlier take <c>thinkingBudget</c>.</summary>
    internal static bool IsLevelModel(string model)
    {
        int at = model.IndexOf("gemini-", StringComparison.OrdinalIgnoreCase);
        if (at < 0 || at + 7 >= model.Length)
        {
            return false;
        }

        char major = model[at + 7];
        return major is >= '3' and <= '9';
    }

    internal static string ThinkingLevelFor(ReasoningEffort effort, string model)
    {
        // Gemini 3 Pro accepts only low and high; Flash also minimal and medium.
        bool pro = model.Contains("-pro", StringComparison.OrdinalIgnoreCase);
        return effort switch
        {
            ReasoningEffort.None => pro ? "low" : "minimal",
            ReasoningEffort.Low => "low",
            ReasoningEffort.Medium => pro ? "high" : "medium",
            _ => "high",
        };
    }

    internal static int ThinkingBudgetFor(ReasoningEffort effort, string model)
    {
        // 2.5 Pro cannot turn thinking off: 128 is its smallest budget. 24,576 is the largest every 2.5 model takes.
        bool pro = model.Contains("-pro", StringComparison.OrdinalIgnoreCase);
        return effort switch
        {
            ReasoningEffort.None => pro ? 128 : 0,
            ReasoningEffort.Low => 1024,
            ReasoningEffort.Medium => 8192,
            ReasoningEffort.High => 16384,
            _ => 24576,
        };
    }

    private static int? ToInt(object? value) => value switch
    {
        int i => i,
        long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out int n) => n,
        string s when int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) => n,
        _ => null,
    };
}
