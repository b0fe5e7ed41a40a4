using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// LlmKit.Gemini against a raw <see cref="HttpClient"/> + <see cref="JsonDocument"/> call (there is no official
/// Gemini .NET SDK among the peers). One canned in-process handler returns identical bytes to both: a
/// pretty-printed 1.3 KB <c>generateContent</c> answer with two function calls, and an SSE stream of 100 text
/// chunks (each with the cumulative usage, as Gemini sends it) whose last chunk carries the finish reason.
/// The one-chunk stream isolates the per-stream cost, so (100-chunk − 1-chunk) / 99 is the cost of a chunk.
/// </summary>
[MemoryDiagnoser]
public class GeminiBenchmarks
{
    private const int StreamChunks = 100;
    private const string Model = "gemini-2.5-flash";
    private static readonly Uri Endpoint = new("http://127.0.0.1/");
    private static readonly Uri RawGenerateUri = new(Endpoint, $"v1beta/models/{Model}:generateContent");
    private static readonly Uri RawStreamUri = new(Endpoint, $"v1beta/models/{Model}:streamGenerateContent?alt=sse");

    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "What is the weather in Paris and Tokyo?")];
    private readonly ChatOptions _options = new() { ModelId = Model };

    private GeminiChatClient _llmKit = null!;
    private GeminiChatClient _llmKitStream = null!;
    private GeminiChatClient _llmKitStreamOne = null!;
    private HttpClient _raw = null!;
    private HttpClient _rawStream = null!;

    /// <summary>Gets the canned answer (about 1.3 KB, two function calls, pretty-printed as Gemini sends it).</summary>
    public static byte[] Completion { get; } = Encoding.UTF8.GetBytes(BuildCompletion());

    /// <summary>Gets the canned stream: 100 text chunks, the last with the finish reason and the final usage.</summary>
    public static byte[] Stream { get; } = Encoding.UTF8.GetBytes(BuildStream(StreamChunks));

    /// <summary>Gets the same stream with one chunk.</summary>
    public static byte[] StreamOfOne { get; } = Encoding.UTF8.GetBytes(BuildStream(1));

    [GlobalSetup]
    public void Setup()
    {
        var options = new GeminiClientOptions { ApiKey = "AIza-bench-0123456789", BaseUrl = Endpoint, DefaultModel = Model };
        _llmKit = new GeminiChatClient(options, new HttpClient(new CannedResponseHandler(Completion, "application/json")));
        _llmKitStream = new GeminiChatClient(options, new HttpClient(new CannedResponseHandler(Stream, "text/event-stream")));
        _llmKitStreamOne = new GeminiChatClient(options, new HttpClient(new CannedResponseHandler(StreamOfOne, "text/event-stream")));
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

    [Benchmark(Baseline = true, Description = "raw HttpClient + JsonDocument, 1.3 KB with 2 function calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> Raw()
    {
        using var request = RawRequest(RawGenerateUri);
        using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(body).ConfigureAwait(false);
        int calls = 0;
        foreach (var part in json.RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts").EnumerateArray())
        {
            if (part.TryGetProperty("functionCall", out var call) && call.GetProperty("name").GetString() is { Length: > 0 })
            {
                calls++;
            }
        }

        return calls;
    }

    [Benchmark(Description = "LlmKit.Gemini, 1.3 KB with 2 function calls")]
    [BenchmarkCategory("complete")]
    public async Task<int> LlmKit()
    {
        var response = await _llmKit.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        int calls = 0;
        foreach (var content in response.Messages[0].Contents)
        {
            if (content is FunctionCallContent)
            {
                calls++;
            }
        }

        return calls;
    }

    [Benchmark(Description = "raw HttpClient + JsonDocument, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public async Task<int> RawStream()
    {
        using var request = RawRequest(RawStreamUri);
        using var response = await _rawStream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var reader = new StreamReader(body, Encoding.UTF8);
        int chunks = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line.AsMemory(6));
            var parts = json.RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts");
            if (parts[0].GetProperty("text").GetString() is not null)
            {
                chunks++;
            }
        }

        return chunks;
    }

    [Benchmark(Description = "LlmKit.Gemini, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public async Task<int> LlmKitStream()
    {
        int chunks = 0;
        await foreach (var update in _llmKitStream.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            chunks++;
        }

        return chunks;
    }

    [Benchmark(Description = "LlmKit.Gemini, 1-chunk stream")]
    [BenchmarkCategory("stream")]
    public async Task<int> LlmKitStreamOne()
    {
        int chunks = 0;
        await foreach (var update in _llmKitStreamOne.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            chunks++;
        }

        return chunks;
    }

    /// <summary>The request the raw baseline sends: the same body LlmKit writes for these messages, built by hand.</summary>
    private static HttpRequestMessage RawRequest(Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(
                """{"contents":[{"role":"user","parts":[{"text":"What is the weather in Paris and Tokyo?"}]}],"generationConfig":{"candidateCount":1}}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.TryAddWithoutValidation("x-goog-api-key", "AIza-bench-0123456789");
        return request;
    }

    private static string BuildCompletion() => """
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  {
                    "text": "The user wants the weather for two cities: call get_weather twice.",
                    "thought": true
                  },
                  {
                    "functionCall": {
                      "name": "get_weather",
                      "args": {
                        "city": "Paris",
                        "country": "FR",
                        "unit": "celsius"
                      }
                    },
                    "thoughtSignature": "CiQB0e2Kb8Hx1vYx3Qq9sZkQ1cW5cA0gkQ5mC3lJq2xq0Tn9kQ3m8WcZmVqf2aZr9LwQ=="
                  },
                  {
                    "functionCall": {
                      "name": "get_weather",
                      "args": {
                        "city": "Tokyo",
                        "country": "JP",
                        "unit": "celsius"
                      }
                    }
                  }
                ],
                "role": "model"
              },
              "finishReason": "STOP",
              "index": 0,
              "safetyRatings": [
                { "category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE" }
              ]
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 96,
            "candidatesTokenCount": 38,
            "totalTokenCount": 190,
            "promptTokensDetails": [
              {
                "modality": "TEXT",
                "tokenCount": 96
              }
            ],
            "thoughtsTokenCount": 56
          },
          "modelVersion": "gemini-2.5-flash",
          "responseId": "Yb8iaeXJD9ymz7IP4bCg4Q4"
        }
        """;

    private static string BuildStream(int chunks)
    {
        var sb = new StringBuilder();
        for (int i = 1; i <= chunks; i++)
        {
            bool last = i == chunks;
            sb.Append(CultureInfo.InvariantCulture, $$"""data: {"candidates": [{"content": {"parts": [{"text": " word"}],"role": "model"}{{(last ? ",\"finishReason\": \"STOP\"" : string.Empty)}},"index": 0}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": {{i}},"totalTokenCount": {{12 + i}},"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}]},"modelVersion": "gemini-2.5-flash","responseId": "Yb8iaeXJD9ymz7IP4bCg4Q4"}""");
            sb.Append("\r\n\r\n");
        }

        return sb.ToString();
    }
}
