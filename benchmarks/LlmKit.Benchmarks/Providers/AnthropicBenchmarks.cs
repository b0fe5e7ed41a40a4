using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anthropic;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Sdk = Anthropic.Models.Messages;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// LlmKit.Anthropic against the official Anthropic 13.12.0 SDK (its own API and its <see cref="IChatClient"/>
/// adapter) and a raw <see cref="HttpClient"/> + <see cref="JsonDocument"/> call. One canned in-process handler
/// returns identical bytes to every contender: a 1.3 KB Messages response with text and two tool calls, and an
/// SSE stream of 100 text deltas plus the usage (message_start, content_block_start, a ping, 100
/// content_block_delta, content_block_stop, message_delta, message_stop). Every contender sends the same
/// request (system text, a user message, two tools, max_tokens) and reads what it parsed. The one-delta stream
/// isolates the per-stream cost, so (100-delta − 1-delta) / 99 is the cost of a chunk.
/// </summary>
[MemoryDiagnoser]
public class AnthropicBenchmarks
{
    private const int StreamChunks = 100;
    private const string Model = "claude-sonnet-4-6";
    private const string System = "You are a concise weather assistant. Use the tools to answer.";
    private const string Question = "What is the weather in San Francisco and New York?";
    private static readonly Uri Endpoint = new("http://127.0.0.1/");
    private static readonly Uri RawMessagesUri = new("http://127.0.0.1/v1/messages");

    /// <summary>The <c>request-id</c> header every canned Anthropic response carries.</summary>
    private static readonly KeyValuePair<string, string> RequestId = new("request-id", "req_011CBenchmark0123456789");

    private static readonly JsonElement WeatherSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"location":{"type":"string","description":"City and state"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}
        """).RootElement;

    private static readonly JsonElement ForecastSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"location":{"type":"string"},"days":{"type":"integer"}},"required":["location","days"]}
        """).RootElement;

    private readonly List<ChatMessage> _messages = [new(ChatRole.System, System), new(ChatRole.User, Question)];
    private ChatOptions _options = null!;
    private Sdk.MessageCreateParams _sdkParams = null!;
    private byte[] _rawRequest = null!;
    private byte[] _rawStreamRequest = null!;

    private AnthropicChatClient _llmKit = null!;
    private AnthropicChatClient _llmKitStream = null!;
    private AnthropicChatClient _llmKitStreamOne = null!;
    private AnthropicClient _sdk = null!;
    private AnthropicClient _sdkStream = null!;
    private IChatClient _sdkChat = null!;
    private IChatClient _sdkChatStream = null!;
    private HttpClient _raw = null!;
    private HttpClient _rawStream = null!;

    /// <summary>Gets the canned Messages response (about 1.3 KB: text and two tool_use blocks).</summary>
    public static byte[] Completion { get; } = Encoding.UTF8.GetBytes(BuildCompletion());

    /// <summary>Gets the canned stream with 100 text deltas.</summary>
    public static byte[] Stream { get; } = Encoding.UTF8.GetBytes(BuildStream(StreamChunks));

    /// <summary>Gets the same stream with one text delta.</summary>
    public static byte[] StreamOfOne { get; } = Encoding.UTF8.GetBytes(BuildStream(1));

    [GlobalSetup]
    public void Setup()
    {
        _options = new ChatOptions
        {
            ModelId = Model,
            MaxOutputTokens = 1024,
            Tools =
            [
                AIFunctionFactory.CreateDeclaration("get_weather", "Gets the current weather for a city.", WeatherSchema),
                AIFunctionFactory.CreateDeclaration("get_forecast", "Gets the forecast for a city.", ForecastSchema),
            ],
        };

        var options = new AnthropicClientOptions { ApiKey = "sk-ant-bench-0123456789", BaseUrl = Endpoint, DefaultModel = Model };
        _llmKit = new AnthropicChatClient(options, new HttpClient(new CannedResponseHandler(Completion, "application/json", RequestId)));
        _llmKitStream = new AnthropicChatClient(options, new HttpClient(new CannedResponseHandler(Stream, "text/event-stream", RequestId)));
        _llmKitStreamOne = new AnthropicChatClient(options, new HttpClient(new CannedResponseHandler(StreamOfOne, "text/event-stream", RequestId)));

        _sdk = CreateSdk(Completion, "application/json");
        _sdkStream = CreateSdk(Stream, "text/event-stream");
        _sdkChat = _sdk.AsIChatClient(Model, 1024);
        _sdkChatStream = _sdkStream.AsIChatClient(Model, 1024);
        _sdkParams = new Sdk.MessageCreateParams
        {
            Model = Model,
            MaxTokens = 1024,
            System = System,
            Messages = [new Sdk.UserMessageParam(Question)],
            Tools = [SdkTool("get_weather", "Gets the current weather for a city.", WeatherSchema), SdkTool("get_forecast", "Gets the forecast for a city.", ForecastSchema)],
        };

        _raw = new HttpClient(new CannedResponseHandler(Completion, "application/json", RequestId));
        _rawStream = new HttpClient(new CannedResponseHandler(Stream, "text/event-stream", RequestId));
        _rawRequest = BuildRawRequest(stream: false);
        _rawStreamRequest = BuildRawRequest(stream: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _llmKit.Dispose();
        _llmKitStream.Dispose();
        _llmKitStreamOne.Dispose();
        _raw.Dispose();
        _rawStream.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Anthropic SDK 13.12.0, 1.3 KB with 2 tool calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> Sdk()
    {
        Sdk.Message message = await _sdk.Messages.Create(_sdkParams).ConfigureAwait(false);
        int seen = (int)message.Usage.OutputTokens;
        foreach (var block in message.Content)
        {
            if (block.TryPickToolUse(out var toolUse))
            {
                seen += toolUse.Input.Count + toolUse.Name.Length;
            }
            else if (block.TryPickText(out var text))
            {
                seen += text.Text.Length;
            }
        }

        return seen;
    }

    [Benchmark(Description = "Anthropic SDK as IChatClient, 1.3 KB with 2 tool calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> SdkChatClient()
    {
        var response = await _sdkChat.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        return Count(response);
    }

    [Benchmark(Description = "LlmKit.Anthropic, 1.3 KB with 2 tool calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> LlmKit()
    {
        var response = await _llmKit.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        return Count(response);
    }

    [Benchmark(Description = "raw HttpClient + JsonDocument, 1.3 KB with 2 tool calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> Raw()
    {
        using var request = RawRequest(_rawRequest);
        using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(body).ConfigureAwait(false);
        int seen = 0;
        foreach (var block in json.RootElement.GetProperty("content").EnumerateArray())
        {
            if (block.GetProperty("type").ValueEquals("tool_use"u8))
            {
                seen += block.GetProperty("input").EnumerateObject().Count() + block.GetProperty("name").GetString()!.Length;
            }
            else
            {
                seen += block.GetProperty("text").GetString()!.Length;
            }
        }

        return seen;
    }

    [Benchmark(Description = "Anthropic SDK 13.12.0, stream of 100 deltas")]
    [BenchmarkCategory("stream")]
    public async Task<int> SdkStream()
    {
        int chars = 0;
        await foreach (var streamEvent in _sdkStream.Messages.CreateStreaming(_sdkParams).ConfigureAwait(false))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text))
            {
                chars += text.Text.Length;
            }
        }

        return chars;
    }

    [Benchmark(Description = "Anthropic SDK as IChatClient, stream of 100 deltas")]
    [BenchmarkCategory("stream")]
    public async Task<int> SdkChatClientStream()
    {
        int chars = 0;
        await foreach (var update in _sdkChatStream.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            chars += update.Text.Length;
        }

        return chars;
    }

    [Benchmark(Description = "LlmKit.Anthropic, stream of 100 deltas")]
    [BenchmarkCategory("stream")]
    public Task<int> LlmKitStream() => ReadLlmKitStream(_llmKitStream);

    [Benchmark(Description = "LlmKit.Anthropic, stream of 1 delta")]
    [BenchmarkCategory("stream")]
    public Task<int> LlmKitStreamOfOne() => ReadLlmKitStream(_llmKitStreamOne);

    [Benchmark(Description = "raw HttpClient + JsonDocument per event, stream of 100 deltas")]
    [BenchmarkCategory("stream")]
    public async Task<int> RawStream()
    {
        using var request = RawRequest(_rawStreamRequest);
        using var response = await _rawStream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var reader = new StreamReader(body, Encoding.UTF8);
        int chars = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var json = JsonDocument.Parse(line.AsMemory(6));
                if (json.RootElement.TryGetProperty("delta", out var delta) && delta.TryGetProperty("text", out var text))
                {
                    chars += text.GetString()!.Length;
                }
            }
        }

        return chars;
    }

    private static int Count(ChatResponse response)
    {
        int seen = (int)(response.Usage?.OutputTokenCount ?? 0);
        foreach (var content in response.Messages[0].Contents)
        {
            if (content is FunctionCallContent call)
            {
                seen += call.Arguments!.Count + call.Name.Length;
            }
            else if (content is TextContent text)
            {
                seen += text.Text.Length;
            }
        }

        return seen;
    }

    private async Task<int> ReadLlmKitStream(AnthropicChatClient client)
    {
        int chars = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            chars += update.Text.Length;
        }

        return chars;
    }

    private static AnthropicClient CreateSdk(byte[] body, string contentType) => new()
    {
        ApiKey = "sk-ant-bench-0123456789",
        BaseUrl = "http://127.0.0.1",
        HttpClient = new HttpClient(new CannedResponseHandler(body, contentType, RequestId)),
        MaxRetries = 0,
    };

    private static Sdk.ToolUnion SdkTool(string name, string description, JsonElement schema)
    {
        var properties = new Dictionary<string, JsonElement>();
        foreach (var property in schema.GetProperty("properties").EnumerateObject())
        {
            properties[property.Name] = property.Value.Clone();
        }

        return new Sdk.Tool
        {
            Name = name,
            Description = description,
            InputSchema = new Sdk.InputSchema
            {
                Properties = properties,
                Required = schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).ToList(),
            },
        };
    }

    private static HttpRequestMessage RawRequest(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, RawMessagesUri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", "sk-ant-bench-0123456789");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        return request;
    }

    private static byte[] BuildRawRequest(bool stream)
    {
        string json = $$"""
            {"model":"{{Model}}","max_tokens":1024,"system":"{{System}}","messages":[{"role":"user","content":"{{Question}}"}],"tools":[{"name":"get_weather","description":"Gets the current weather for a city.","input_schema":{{WeatherSchema.GetRawText()}}},{"name":"get_forecast","description":"Gets the forecast for a city.","input_schema":{{ForecastSchema.GetRawText()}}}]{{(stream ? ",\"stream\":true" : string.Empty)}}}
            """;
        return Encoding.UTF8.GetBytes(json);
    }

    private static string BuildCompletion() => """
        {"id":"msg_01Aq9w938a90dw8qCompletion","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"I'll look up the current conditions in both cities for you. San Francisco and New York are on opposite coasts, so the weather is likely to differ quite a bit; I will call the weather tool once for each city and then summarise the results side by side, including temperature, sky conditions and wind where available. If either city reports severe weather alerts, I will mention them first, and I will note the local time of each observation so the comparison is fair."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius","include_wind":true,"include_humidity":true,"detail":"full","language":"en-US"}},{"type":"tool_use","id":"toolu_01B19r01rx01mr028946mr0","name":"get_weather","input":{"location":"New York, NY","unit":"fahrenheit","include_wind":true,"include_humidity":false,"detail":"summary","language":"en-US"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":128,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":121,"service_tier":"standard"}}
        """;

    private static string BuildStream(int chunks)
    {
        var sb = new StringBuilder();
        sb.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01StreamBenchmark0123\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-6\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n");
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        sb.Append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        for (int i = 0; i < chunks; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\" word{i}\"}}}}\n\n");
        }

        sb.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"event: message_delta\ndata: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}},\"usage\":{{\"output_tokens\":{chunks + 1}}}}}\n\n");
        sb.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return sb.ToString();
    }
}
