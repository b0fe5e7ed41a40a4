using System.Text.Json;
using LlmKit.Tests.Shared;

namespace LlmKit.Faults.Tests.Routing;

/// <summary>
/// Starts aimock once for the fault tests with error fixtures: every fault is injected by aimock over real HTTP on
/// 127.0.0.1 (error responses with their status and Retry-After, a pre-handling delay, a connection cut before the first
/// chunk and after a few chunks). Each test sends its own <c>X-Test-Id</c>, which scopes aimock's sequence counters and its
/// journal to that test.
/// </summary>
public sealed class AimockFaultFixture : IAsyncLifetime
{
    public AimockServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AimockServer.StartAsync(new Dictionary<string, string>
    {
        ["faults.json"] = """
        {
          "fixtures": [
            { "match": { "userMessage": "rate limited briefly", "sequenceIndex": 0 },
              "response": { "error": { "message": "Rate limit reached for requests", "type": "rate_limit_error", "code": "rate_limit_exceeded" }, "status": 429, "retryAfter": 1 } },
            { "match": { "userMessage": "rate limited briefly", "sequenceIndex": 1 }, "response": { "content": "answered after the wait" } },

            { "match": { "userMessage": "rate limited for long", "model": "gpt-a" },
              "response": { "error": { "message": "Rate limit reached for requests", "type": "rate_limit_error", "code": "rate_limit_exceeded" }, "status": 429, "retryAfter": 30 } },
            { "match": { "userMessage": "rate limited for long", "model": "gpt-b" }, "response": { "content": "from b while a cools down" } },

            { "match": { "userMessage": "server error", "model": "gpt-a" },
              "response": { "error": { "message": "The server had an error while processing your request.", "type": "server_error" }, "status": 500 } },
            { "match": { "userMessage": "server error", "model": "gpt-b" }, "response": { "content": "from b after the 500s" } },

            { "match": { "userMessage": "unavailable once", "sequenceIndex": 0 },
              "response": { "error": { "message": "The engine is currently overloaded, please try again later.", "type": "server_error" }, "status": 503 } },
            { "match": { "userMessage": "unavailable once", "sequenceIndex": 1 }, "response": { "content": "answered after the 503" } },

            { "match": { "userMessage": "anthropic overloaded", "model": "claude-a" },
              "response": { "error": { "message": "Overloaded", "type": "overloaded_error" }, "status": 529 } },
            { "match": { "userMessage": "anthropic overloaded", "model": "gpt-b" }, "response": { "content": "from openai after the 529" } },

            { "match": { "userMessage": "gemini unavailable", "model": "gemini-a" },
              "response": { "error": { "message": "The model is overloaded. Please try again later.", "type": "UNAVAILABLE" }, "status": 503 } },
            { "match": { "userMessage": "gemini unavailable", "model": "gpt-b" }, "response": { "content": "from openai after gemini's 503" } },

            { "match": { "userMessage": "too slow", "model": "gpt-a" }, "response": { "content": "far too late" }, "chaos": { "latencyMs": 20000 } },
            { "match": { "userMessage": "too slow", "model": "gpt-b" }, "response": { "content": "from b after the timeout" } },

            { "match": { "userMessage": "cut before the first chunk", "model": "gpt-a" }, "response": { "content": "never delivered" }, "chaos": { "disconnectRate": 1 } },
            { "match": { "userMessage": "cut before the first chunk", "model": "gpt-b" }, "response": { "content": "streamed from b after the cut" } },

            { "match": { "userMessage": "cut mid stream" },
              "response": { "content": "one two three four five six seven eight nine ten" }, "chunkSize": 4, "latency": 20, "truncateAfterChunks": 3 }
          ]
        }
        """,
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Counts the requests aimock received for <paramref name="model"/> from one test.</summary>
    public async Task<int> RequestsAsync(string testId, string model)
    {
        using var http = new HttpClient();
        using var journal = JsonDocument.Parse(await http.GetStringAsync(new Uri(Server.BaseUri, $"__aimock/journal?testId={Uri.EscapeDataString(testId)}")));
        int count = 0;
        foreach (var entry in journal.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object
                && body.TryGetProperty("model", out var m) && m.GetString() == model)
            {
                count++;
            }
        }

        return count;
    }
}
