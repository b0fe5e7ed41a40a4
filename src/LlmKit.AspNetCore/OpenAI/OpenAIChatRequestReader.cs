using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>
/// Reads an OpenAI chat completions request body into MEAI messages and options. Unknown fields are ignored, as
/// OpenAI-compatible servers commonly do, so newer SDKs keep working; known fields of the wrong type are refused with
/// 400, and known features LlmKit cannot serve (n &gt; 1, logprobs, audio) with 422.
/// </summary>
internal static class OpenAIChatRequestReader
{
    private const string StrictJsonSchemaKey = "llmkit.strict_json_schema";

    private static readonly JsonElement EmptyParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public static OpenAIChatRequest Read(JsonElement root, int maxMessages, int? maxOutputTokens)
    {
        string model = OpenAIJson.RequiredString(root, "model", "model");
        var messagesElement = OpenAIJson.Array(root, "messages", "messages")
            ?? throw OpenAIJson.Fail(OpenAIError.BadRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter"));
        int count = messagesElement.GetArrayLength();
        if (count == 0)
        {
            throw OpenAIJson.Fail(OpenAIError.BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array"));
        }

        if (count > maxMessages)
        {
            throw OpenAIJson.Fail(OpenAIError.Unprocessable(
                string.Create(CultureInfo.InvariantCulture, $"Too many messages: {count}; this caller may send at most {maxMessages} per request. Shorten the conversation."),
                "messages",
                "too_many_messages"));
        }

        var messages = new List<ChatMessage>(count);
        int index = 0;
        foreach (var message in messagesElement.EnumerateArray())
        {
            messages.Add(ReadMessage(message, index++));
        }

        var options = new ChatOptions { ModelId = model };
        if (OpenAIJson.Integer(root, "n", "n", 1) is > 1)
        {
            throw OpenAIJson.Fail(OpenAIError.Unprocessable("Only n=1 is supported: LlmKit returns one choice per request. Send several requests for several choices.", "n", "unsupported_value"));
        }

        if (OpenAIJson.Bool(root, "logprobs", "logprobs") is true)
        {
            throw OpenAIJson.Fail(OpenAIError.Unprocessable("logprobs is not supported by this server. Leave it out or set it to false.", "logprobs", "unsupported_parameter"));
        }

        if (OpenAIJson.Array(root, "modalities", "modalities") is { } modalities
            && modalities.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String || m.GetString() != "text"))
        {
            throw OpenAIJson.Fail(OpenAIError.Unprocessable("Only the text modality is supported by this server.", "modalities", "unsupported_value"));
        }

        options.Temperature = (float?)OpenAIJson.Number(root, "temperature", "temperature", 0, 2);
        options.TopP = (float?)OpenAIJson.Number(root, "top_p", "top_p", 0, 1);
        options.FrequencyPenalty = (float?)OpenAIJson.Number(root, "frequency_penalty", "frequency_penalty", -2, 2);
        options.PresencePenalty = (float?)OpenAIJson.Number(root, "presence_penalty", "presence_penalty", -2, 2);
        options.Seed = OpenAIJson.Integer(root, "seed", "seed");
        long? maxTokens = OpenAIJson.Integer(root, "max_completion_tokens", "max_completion_tokens", 1)
            ?? OpenAIJson.Integer(root, "max_tokens", "max_tokens", 1);
        if (maxTokens is { } asked && maxOutputTokens is { } cap && asked > cap)
        {
            throw OpenAIJson.Fail(OpenAIError.Unprocessable(
                string.Create(CultureInfo.InvariantCulture, $"max_tokens {asked} is above this caller's cap of {cap}. Ask for {cap} or fewer."),
                "max_tokens",
                "max_tokens_above_cap"));
        }

        long? effective = maxTokens ?? maxOutputTokens;
        options.MaxOutputTokens = effective is { } e ? (int)Math.Min(e, int.MaxValue) : null;
        options.StopSequences = ReadStop(root);
        ReadReasoning(root, options);
        ReadTools(root, options);
        options.ResponseFormat = ReadResponseFormat(root, options);

        string? user = OpenAIJson.String(root, "user", "user");
        if (user is not null)
        {
            // Sent on to the provider as OpenAI's end-user id (LlmKit's OpenAI client writes extra properties as fields).
            (options.AdditionalProperties ??= [])["user"] = user;
        }

        bool stream = OpenAIJson.Bool(root, "stream", "stream") ?? false;
        bool includeUsage = false;
        if (OpenAIJson.Object(root, "stream_options", "stream_options") is { } streamOptions)
        {
            includeUsage = OpenAIJson.Bool(streamOptions, "include_usage", "stream_options.include_usage") ?? false;
        }

        return new OpenAIChatRequest { Model = model, Messages = messages, Options = options, Stream = stream, IncludeUsage = includeUsage, User = user };
    }

    private static ChatMessage ReadMessage(JsonElement element, int index)
    {
        string p = string.Create(CultureInfo.InvariantCulture, $"messages[{index}]");
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw OpenAIJson.Fail(OpenAIError.InvalidType(p, "an object", element));
        }

        string role = OpenAIJson.RequiredString(element, "role", p + ".role");
        string? name = OpenAIJson.String(element, "name", p + ".name");
        switch (role)
        {
            case "system":
            case "developer":
                return new ChatMessage(ChatRole.System, ReadContent(element, p, allowImages: false)) { AuthorName = name };
            case "user":
                return new ChatMessage(ChatRole.User, ReadContent(element, p, allowImages: true)) { AuthorName = name };
            case "assistant":
                var contents = ReadContent(element, p, allowImages: false);
                if (OpenAIJson.Array(element, "tool_calls", p + ".tool_calls") is { } calls)
                {
                    int i = 0;
                    foreach (var call in calls.EnumerateArray())
                    {
                        contents.Add(ReadToolCall(call, string.Create(CultureInfo.InvariantCulture, $"{p}.tool_calls[{i++}]")));
                    }
                }

                return new ChatMessage(ChatRole.Assistant, contents) { AuthorName = name };
            case "tool":
                string callId = OpenAIJson.RequiredString(element, "tool_call_id", p + ".tool_call_id");
                string result = string.Concat(ReadContent(element, p, allowImages: false).OfType<TextContent>().Select(t => t.Text));
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, result)]);
            default:
                throw OpenAIJson.Fail(OpenAIError.BadRequest(
                    $"Invalid value: '{role}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.",
                    p + ".role",
                    "invalid_value"));
        }
    }

    private static List<AIContent> ReadContent(JsonElement message, string p, bool allowImages)
    {
        var contents = new List<AIContent>();
        if (!OpenAIJson.TryGet(message, "content", out var content))
        {
            return contents;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            contents.Add(new TextContent(content.GetString()));
            return contents;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw OpenAIJson.Fail(OpenAIError.InvalidType(p + ".content", "a string or an array", content));
        }

        int i = 0;
        foreach (var part in content.EnumerateArray())
        {
            string pp = string.Create(CultureInfo.InvariantCulture, $"{p}.content[{i++}]");
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw OpenAIJson.Fail(OpenAIError.InvalidType(pp, "an object", part));
            }

            string type = OpenAIJson.RequiredString(part, "type", pp + ".type");
            switch (type)
            {
                case "text":
                    contents.Add(new TextContent(OpenAIJson.RequiredString(part, "text", pp + ".text")));
                    break;
                case "refusal":
                    contents.Add(new TextContent(OpenAIJson.RequiredString(part, "refusal", pp + ".refusal")));
                    break;
                case "image_url" when allowImages:
                    var image = OpenAIJson.Object(part, "image_url", pp + ".image_url")
                        ?? throw OpenAIJson.Fail(OpenAIError.BadRequest($"Missing required parameter: '{pp}.image_url'.", pp + ".image_url", "missing_required_parameter"));
                    string url = OpenAIJson.RequiredString(image, "url", pp + ".image_url.url");
                    contents.Add(ReadImage(url, pp + ".image_url.url"));
                    break;
                default:
                    throw OpenAIJson.Fail(OpenAIError.Unprocessable(
                        $"Content part type '{type}' is not supported here; send 'text'{(allowImages ? " or 'image_url'" : string.Empty)} parts.",
                        pp + ".type",
                        "unsupported_value"));
            }
        }

        return contents;
    }

    private static AIContent ReadImage(string url, string param)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new DataContent(url);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                throw OpenAIJson.Fail(OpenAIError.BadRequest($"Invalid image data URL in '{param}': {ex.Message}", param, "invalid_image_url"));
            }
        }

        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return new UriContent(uri, "image/*");
        }

        throw OpenAIJson.Fail(OpenAIError.BadRequest($"Invalid image URL in '{param}': expected an http(s) URL or a data: URL.", param, "invalid_image_url"));
    }

    private static FunctionCallContent ReadToolCall(JsonElement call, string p)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            throw OpenAIJson.Fail(OpenAIError.InvalidType(p, "an object", call));
        }

        string id = OpenAIJson.RequiredString(call, "id", p + ".id");
        var function = OpenAIJson.Object(call, "function", p + ".function")
            ?? throw OpenAIJson.Fail(OpenAIError.BadRequest($"Missing required parameter: '{p}.function'.", p + ".function", "missing_required_parameter"));
        string name = OpenAIJson.RequiredString(function, "name", p + ".function.name");
        string arguments = OpenAIJson.String(function, "arguments", p + ".function.arguments") ?? "{}";
        return new FunctionCallContent(id, name, ParseArguments(arguments, p + ".function.arguments"));
    }

    private static Dictionary<string, object?> ParseArguments(string json, string param)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return arguments;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw OpenAIJson.Fail(OpenAIError.BadRequest($"Invalid '{param}': the arguments must be a JSON object.", param, "invalid_value"));
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }

            return arguments;
        }
        catch (JsonException ex)
        {
            throw OpenAIJson.Fail(OpenAIError.BadRequest($"Invalid '{param}': not valid JSON ({ex.Message}).", param, "invalid_value"));
        }
    }

    private static List<string>? ReadStop(JsonElement root)
    {
        if (!OpenAIJson.TryGet(root, "stop", out var stop))
        {
            return null;
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return [stop.GetString()!];
        }

        if (stop.ValueKind != JsonValueKind.Array)
        {
            throw OpenAIJson.Fail(OpenAIError.InvalidType("stop", "a string or an array of strings", stop));
        }

        var list = new List<string>();
        foreach (var item in stop.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw OpenAIJson.Fail(OpenAIError.InvalidType("stop", "a string or an array of strings", item)));
        }

        return list.Count == 0 ? null : list;
    }

    private static void ReadReasoning(JsonElement root, ChatOptions options)
    {
        string? effort = OpenAIJson.String(root, "reasoning_effort", "reasoning_effort");
        if (effort is null)
        {
            return;
        }

        options.Reasoning = new ReasoningOptions
        {
            Effort = effort switch
            {
                "none" => ReasoningEffort.None,
                "minimal" or "low" => ReasoningEffort.Low,
                "medium" => ReasoningEffort.Medium,
                "high" => ReasoningEffort.High,
                "xhigh" => ReasoningEffort.ExtraHigh,
                _ => throw OpenAIJson.Fail(OpenAIError.BadRequest(
                    $"Invalid value: '{effort}'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high' and 'xhigh'.",
                    "reasoning_effort",
                    "invalid_value")),
            },
        };
    }

    private static void ReadTools(JsonElement root, ChatOptions options)
    {
        if (OpenAIJson.Array(root, "tools", "tools") is { } tools)
        {
            var list = new List<AITool>();
            int i = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                string p = string.Create(CultureInfo.InvariantCulture, $"tools[{i++}]");
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    throw OpenAIJson.Fail(OpenAIError.InvalidType(p, "an object", tool));
                }

                string type = OpenAIJson.RequiredString(tool, "type", p + ".type");
                if (type != "function")
                {
                    throw OpenAIJson.Fail(OpenAIError.Unprocessable($"Tool type '{type}' is not supported; send 'function' tools.", p + ".type", "unsupported_value"));
                }

                var function = OpenAIJson.Object(tool, "function", p + ".function")
                    ?? throw OpenAIJson.Fail(OpenAIError.BadRequest($"Missing required parameter: '{p}.function'.", p + ".function", "missing_required_parameter"));
                string name = OpenAIJson.RequiredString(function, "name", p + ".function.name");
                string? description = OpenAIJson.String(function, "description", p + ".function.description");
                var parameters = OpenAIJson.Object(function, "parameters", p + ".function.parameters")?.Clone()
                    ?? EmptyParameters;
                list.Add(AIFunctionFactory.CreateDeclaration(name, description, parameters));
            }

            options.Tools = list.Count == 0 ? null : list;
        }

        if (OpenAIJson.Bool(root, "parallel_tool_calls", "parallel_tool_calls") is { } parallel)
        {
            options.AllowMultipleToolCalls = parallel;
        }

        if (OpenAIJson.TryGet(root, "tool_choice", out var choice))
        {
            options.ToolMode = choice.ValueKind switch
            {
                JsonValueKind.String => choice.GetString() switch
                {
                    "auto" => ChatToolMode.Auto,
                    "none" => ChatToolMode.None,
                    "required" => ChatToolMode.RequireAny,
                    var other => throw OpenAIJson.Fail(OpenAIError.BadRequest($"Invalid value: '{other}'. Supported values are: 'none', 'auto' and 'required'.", "tool_choice", "invalid_value")),
                },
                JsonValueKind.Object => ChatToolMode.RequireSpecific(
                    OpenAIJson.RequiredString(
                        OpenAIJson.Object(choice, "function", "tool_choice.function")
                            ?? throw OpenAIJson.Fail(OpenAIError.BadRequest("Missing required parameter: 'tool_choice.function'.", "tool_choice.function", "missing_required_parameter")),
                        "name",
                        "tool_choice.function.name")),
                _ => throw OpenAIJson.Fail(OpenAIError.InvalidType("tool_choice", "a string or an object", choice)),
            };
        }
    }

    private static ChatResponseFormat? ReadResponseFormat(JsonElement root, ChatOptions options)
    {
        if (OpenAIJson.Object(root, "response_format", "response_format") is not { } format)
        {
            return null;
        }

        string type = OpenAIJson.RequiredString(format, "type", "response_format.type");
        switch (type)
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                var schema = OpenAIJson.Object(format, "json_schema", "response_format.json_schema")
                    ?? throw OpenAIJson.Fail(OpenAIError.BadRequest("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", "missing_required_parameter"));
                string name = OpenAIJson.RequiredString(schema, "name", "response_format.json_schema.name");
                string? description = OpenAIJson.String(schema, "description", "response_format.json_schema.description");
                var body = OpenAIJson.Object(schema, "schema", "response_format.json_schema.schema")?.Clone() ?? EmptyParameters;
                if (OpenAIJson.Bool(schema, "strict", "response_format.json_schema.strict") is { } strict)
                {
                    (options.AdditionalProperties ??= [])[StrictJsonSchemaKey] = strict;
                }

                return ChatResponseFormat.ForJsonSchema(body, name, description);
            default:
                throw OpenAIJson.Fail(OpenAIError.BadRequest(
                    $"Invalid value: '{type}'. Supported values are: 'text', 'json_object' and 'json_schema'.",
                    "response_format.type",
                    "invalid_value"));
        }
    }
}
