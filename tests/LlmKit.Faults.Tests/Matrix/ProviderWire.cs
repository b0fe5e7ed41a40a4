using LlmKit.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Faults.Tests.Matrix;

/// <summary>
/// What one provider's wire format looks like on <see cref="RawHttpServer"/>: how the real provider package is registered
/// against the server, a healthy answer (whole and streamed, the last stream event being the end marker), its error
/// bodies and the malformed success bodies of each kind the matrix tries.
/// </summary>
internal sealed class ProviderWire
{
    public required string Name { get; init; }

    public required string Model { get; init; }

    /// <summary>Registers connection <c>name</c> of this provider at <c>baseUri</c> with <c>apiKey</c>.</summary>
    public required Action<ILlmKitBuilder, string, Uri, string> Register { get; init; }

    public required Func<string, string> Body { get; init; }

    public required string StreamContentType { get; init; }

    /// <summary>The events of a healthy stream: a content event with the given text, then the rest; the last one is the end marker.</summary>
    public required Func<string, string[]> StreamEvents { get; init; }

    /// <summary>A content event that may repeat in the middle of a stream (a slow drip).</summary>
    public string DripEvent => Name == "Anthropic"
        ? "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"drip\"}}\n\n"
        : StreamEvents("drip")[0];

    /// <summary>A stream's first event that is not valid JSON.</summary>
    public required string GarbageEvent { get; init; }

    /// <summary>An error body for a status and message (JSON-safe text).</summary>
    public required Func<int, string, string> ErrorBody { get; init; }

    /// <summary>Malformed 200 bodies by kind: <c>{}</c>, empty, number-text, string-tokens, negative-tokens.</summary>
    public required IReadOnlyDictionary<string, string> Malformed { get; init; }

    public override string ToString() => Name;

    public static readonly ProviderWire OpenAI = new()
    {
        Name = "OpenAI",
        Model = "gpt-4o-mini",
        Register = (kit, name, uri, key) => kit.AddOpenAI(name, o =>
        {
            o.BaseUrl = new Uri(uri, "v1/");
            o.ApiKey = key;
        }),
        Body = text => OpenAIBody($"\"{text}\"", """{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}"""),
        StreamContentType = "text/event-stream",
        StreamEvents = text =>
        [
            $$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"{{text}}"},"finish_reason":null}]}""" + "\n\n",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""" + "\n\n",
            "data: [DONE]\n\n",
        ],
        GarbageEvent = "data: {nope}\n\n",
        ErrorBody = (status, message) => $$$"""{"error":{"message":"{{{message}}}","type":"{{{(status == 401 ? "invalid_request_error" : "server_error")}}}","code":null}}""",
        Malformed = Kinds(
            empty: """{"id":"x","object":"chat.completion","choices":[]}""",
            numberText: OpenAIBody("42", """{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}"""),
            stringTokens: OpenAIBody("\"hi\"", """{"prompt_tokens":"3","completion_tokens":2,"total_tokens":5}"""),
            negativeTokens: OpenAIBody("\"hi\"", """{"prompt_tokens":-1000000,"completion_tokens":2,"total_tokens":5}""")),
    };

    public static readonly ProviderWire Ollama = new()
    {
        Name = "Ollama",
        Model = "llama3",
        Register = (kit, name, uri, key) => kit.AddOllama(name, o =>
        {
            o.BaseUrl = uri;
            o.ApiKey = key;
        }),
        Body = text => OllamaBody($"\"{text}\"", "3", "2"),
        StreamContentType = "application/x-ndjson",
        StreamEvents = text =>
        [
            $$"""{"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"{{text}}"},"done":false}""" + "\n",
            """{"model":"llama3","created_at":"2025-01-01T00:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":2}""" + "\n",
        ],
        GarbageEvent = "not json\n",
        ErrorBody = (status, message) => $$"""{"error":"{{message}}"}""",
        Malformed = Kinds(
            empty: """{"model":"llama3","message":"hi","done":true}""",
            numberText: OllamaBody("42", "3", "2"),
            stringTokens: OllamaBody("\"hi\"", "\"3\"", "2"),
            negativeTokens: OllamaBody("\"hi\"", "3", "-2")),
    };

    public static readonly ProviderWire Anthropic = new()
    {
        Name = "Anthropic",
        Model = "claude-haiku-4-5",
        Register = (kit, name, uri, key) => kit.AddAnthropic(name, o =>
        {
            o.BaseUrl = uri;
            o.ApiKey = key;
        }),
        Body = text => AnthropicBody($"\"{text}\"", """{"input_tokens":3,"output_tokens":2}"""),
        StreamContentType = "text/event-stream",
        StreamEvents = text =>
        [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ],
        GarbageEvent = "event: message_start\ndata: {nope}\n\n",
        ErrorBody = (status, message) => $$$"""{"type":"error","error":{"type":"{{{AnthropicType(status)}}}","message":"{{{message}}}"}}""",
        Malformed = Kinds(
            empty: """{"id":"msg_1","type":"message","role":"assistant","content":"hi"}""",
            numberText: AnthropicBody("42", """{"input_tokens":3,"output_tokens":2}"""),
            stringTokens: AnthropicBody("\"hi\"", """{"input_tokens":"3","output_tokens":2}"""),
            negativeTokens: AnthropicBody("\"hi\"", """{"input_tokens":-1000000,"output_tokens":2}""")),
    };

    public static readonly ProviderWire Gemini = new()
    {
        Name = "Gemini",
        Model = "gemini-2.5-flash",
        Register = (kit, name, uri, key) => kit.AddGemini(name, o =>
        {
            o.BaseUrl = uri;
            o.ApiKey = key;
        }),
        Body = text => GeminiBody($"\"{text}\"", """{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}"""),
        StreamContentType = "text/event-stream",
        StreamEvents = text =>
        [
            $$$"""data: {"candidates":[{"content":{"role":"model","parts":[{"text":"{{{text}}}"}]}}],"modelVersion":"gemini-2.5-flash","responseId":"r1"}""" + "\n\n",
            """data: {"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash","responseId":"r1"}""" + "\n\n",
        ],
        GarbageEvent = "data: {nope}\n\n",
        ErrorBody = (status, message) => $$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","status":"{{{GeminiStatus(status)}}}"}}""",
        Malformed = Kinds(
            empty: """{"candidates":[],"modelVersion":"gemini-2.5-flash"}""",
            numberText: GeminiBody("42", """{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}"""),
            stringTokens: GeminiBody("\"hi\"", """{"promptTokenCount":"3","candidatesTokenCount":2,"totalTokenCount":5}"""),
            negativeTokens: GeminiBody("\"hi\"", """{"promptTokenCount":-1000000,"candidatesTokenCount":2,"totalTokenCount":5}""")),
    };

    public static IReadOnlyList<ProviderWire> All { get; } = [OpenAI, Ollama, Anthropic, Gemini];

    private static Dictionary<string, string> Kinds(string empty, string numberText, string stringTokens, string negativeTokens) => new(StringComparer.Ordinal)
    {
        ["{}"] = "{}",
        ["empty"] = empty,
        ["number text"] = numberText,
        ["string tokens"] = stringTokens,
        ["negative tokens"] = negativeTokens,
    };

    private static string OpenAIBody(string content, string usage)
        => $$"""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":{{content}}},"finish_reason":"stop"}],"usage":{{usage}}}""";

    private static string OllamaBody(string content, string promptTokens, string outputTokens)
        => $$"""{"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":{{content}}},"done":true,"done_reason":"stop","prompt_eval_count":{{promptTokens}},"eval_count":{{outputTokens}}}""";

    private static string AnthropicBody(string text, string usage)
        => $$"""{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":{{text}}}],"stop_reason":"end_turn","usage":{{usage}}}""";

    private static string GeminiBody(string text, string usage)
        => $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":{{text}}}]},"finishReason":"STOP"}],"usageMetadata":{{usage}},"modelVersion":"gemini-2.5-flash","responseId":"r1"}""";

    private static string AnthropicType(int status) => status switch
    {
        400 or 413 => status == 413 ? "request_too_large" : "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    };

    private static string GeminiStatus(int status) => status switch
    {
        400 or 413 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 or 529 => "UNAVAILABLE",
        _ => "INTERNAL",
    };
}
