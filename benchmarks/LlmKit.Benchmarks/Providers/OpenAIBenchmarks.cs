using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// LlmKit.OpenAI against the official OpenAI 2.15.0 SDK and a raw HttpClient + JsonDocument call. One canned
/// in-process handler returns identical bytes to every contender: a 1.3 KB completion with two tool calls,
/// and a stream of 100 text chunks plus the usage chunk.
/// </summary>
[MemoryDiagnoser]
public class OpenAIBenchmarks
{
    private const int StreamChunks = 100;
    private static readonly Uri Endpoint = new("http://127.0.0.1/v1/");

    private readonly List<MeaiChatMessage> _messages = [new(ChatRole.User, "What is the weather in Boston and Paris?")];
    private readonly ChatOptions _options = new() { ModelId = "gpt-4o-mini" };
    private readonly List<SdkChatMessage> _sdkMessages = [new UserChatMessage("What is the weather in Boston and Paris?")];

    private OpenAIChatClient _llmKit = null!;
    private OpenAIChatClient _llmKitStream = null!;
    private OpenAIChatClient _llmKitStreamOne = null!;
    private ChatClient _sdk = null!;
    private ChatClient _sdkStream = null!;
    private HttpClient _raw = null!;
    private HttpClient _rawStream = null!;

    /// <summary>Gets the canned completion (about 1.3 KB, two tool calls).</summary>
    public static byte[] Completion { get; } = Encoding.UTF8.GetBytes(BuildCompletion());

    /// <summary>Gets the canned stream: 100 text chunks, the finish chunk, the usage chunk and [DONE].</summary>
    public static byte[] Stream { get; } = Encoding.UTF8.GetBytes(BuildStream(StreamChunks));

    /// <summary>Gets the same stream with one text chunk: the difference to <see cref="Stream"/> is the cost of 99 chunks.</summary>
    public static byte[] StreamOfOne { get; } = Encoding.UTF8.GetBytes(BuildStream(1));

    [GlobalSetup]
    public void Setup()
    {
        var options = new OpenAIConnectionOptions { ApiKey = "sk-bench-0123456789", BaseUrl = Endpoint };
        _llmKit = new OpenAIChatClient(options, new HttpClient(new CannedResponseHandler(Completion, "application/json")));
        _llmKitStream = new OpenAIChatClient(options, new HttpClient(new CannedResponseHandler(Stream, "text/event-stream")));
        _llmKitStreamOne = new OpenAIChatClient(options, new HttpClient(new CannedResponseHandler(StreamOfOne, "text/event-stream")));
        _sdk = CreateSdk(Completion, "application/json");
        _sdkStream = CreateSdk(Stream, "text/event-stream");
        _raw = new HttpClient(new CannedResponseHandler(Completion, "application/json"));
        _rawStream = new HttpClient(new CannedResponseHandler(Stream, "text/event-stream"));
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

    [Benchmark(Baseline = true, Description = "OpenAI SDK 2.15.0, 1.3 KB with 2 tool calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> Sdk()
    {
        ChatCompletion completion = await _sdk.CompleteChatAsync(_sdkMessages).ConfigureAwait(false);
        return completion.ToolCalls.Count;
    }

    [Benchmark(Description = "LlmKit.OpenAI, 1.3 KB with 2 tool calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> LlmKit()
    {
        var response = await _llmKit.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        return response.Messages[0].Contents.Count;
    }

    [Benchmark(Description = "raw HttpClient + JsonDocument, 1.3 KB")]
    [BenchmarkCategory("complete")]
    public async Task<int> Raw()
    {
        using var content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is the weather in Boston and Paris?"}]}""", Encoding.UTF8, "application/json");
        using var response = await _raw.PostAsync(new Uri(Endpoint, "chat/completions"), content).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(body).ConfigureAwait(false);
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls").GetArrayLength();
    }

    [Benchmark(Description = "OpenAI SDK 2.15.0, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public async Task<int> SdkStream()
    {
        int n = 0;
        await foreach (var update in _sdkStream.CompleteChatStreamingAsync(_sdkMessages).ConfigureAwait(false))
        {
            n += update.ContentUpdate.Count;
        }

        return n;
    }

    [Benchmark(Description = "LlmKit.OpenAI, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public async Task<int> LlmKitStream()
    {
        int n = 0;
        await foreach (var update in _llmKitStream.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    [Benchmark(Description = "LlmKit.OpenAI, 1-chunk stream (fixed cost per stream)")]
    [BenchmarkCategory("stream")]
    public async Task<int> LlmKitStreamOfOne()
    {
        int n = 0;
        await foreach (var update in _llmKitStreamOne.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    [Benchmark(Description = "raw HttpClient + JsonDocument per line, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public async Task<int> RawStream()
    {
        using var content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"What is the weather in Boston and Paris?"}]}""", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Endpoint, "chat/completions")) { Content = content };
        using var response = await _rawStream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
        int n = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var document = JsonDocument.Parse(line.AsMemory(6));
                n += document.RootElement.GetProperty("choices").GetArrayLength();
            }
        }

        return n;
    }

    private static ChatClient CreateSdk(byte[] body, string contentType)
    {
        var options = new OpenAI.OpenAIClientOptions
        {
            Endpoint = Endpoint,
            Transport = new HttpClientPipelineTransport(new HttpClient(new CannedResponseHandler(body, contentType))),
        };
        return new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-bench-0123456789"), options);
    }

    private static string BuildCompletion()
    {
        return """
        {
          "id": "chatcmpl-BENCH0000000000000000000000001",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "gpt-4o-mini-2024-07-18",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [
                  { "id": "call_Xk2mQpL0aB1cD2eF3gH4iJ5k", "type": "function", "function": { "name": "get_current_weather", "arguments": "{\"location\":\"Boston, MA\",\"unit\":\"fahrenheit\",\"include_forecast\":true,\"days\":3}" } },
                  { "id": "call_Yl3nRqM1bC2dE3fG4hI5jK6l", "type": "function", "function": { "name": "get_current_weather", "arguments": "{\"location\":\"Paris, France\",\"unit\":\"celsius\",\"include_forecast\":true,\"days\":3}" } }
                ],
                "refusal": null,
                "annotations": []
              },
              "logprobs": null,
              "finish_reason": "tool_calls"
            }
          ],
          "usage": {
            "prompt_tokens": 182,
            "completion_tokens": 64,
            "total_tokens": 246,
            "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_06737a9306"
        }
        """ + new string(' ', 200);
    }

    private static string BuildStream(int chunks)
    {
        var sb = new StringBuilder();
        const string head = "data: {\"id\":\"chatcmpl-BENCH0000000000000000000000002\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{";
        sb.Append(head).Append("\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        for (int i = 0; i < chunks; i++)
        {
            sb.Append(head).Append(CultureInfo.InvariantCulture, $"\"content\":\" word{i}\"}},\"logprobs\":null,\"finish_reason\":null}}],\"usage\":null}}\n\n");
        }

        sb.Append(head).Append("},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        sb.Append("data: {\"id\":\"chatcmpl-BENCH0000000000000000000000002\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[],\"usage\":{\"prompt_tokens\":182,\"completion_tokens\":100,\"total_tokens\":282,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n");
        sb.Append("data: [DONE]\n\n");
        return sb.ToString();
    }
}
