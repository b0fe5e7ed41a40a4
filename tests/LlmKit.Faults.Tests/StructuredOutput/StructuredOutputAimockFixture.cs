using System.Text.Json;
using LlmKit.Tests.Shared;

namespace LlmKit.Faults.Tests.Structured;

/// <summary>
/// aimock with the structured-output fixtures, one set answered by every provider's wire format (OpenAI, Anthropic,
/// Gemini, Ollama). A repair round's last user message is LlmKit's repair request, so the repair answers match on it; the
/// "stubborn" models answer it with the same invalid invoice again.
/// </summary>
public sealed class StructuredOutputAimockFixture : IAsyncLifetime
{
    public const string Valid = """{"number":"INV-42","customer":"Ada Lovelace","status":"Paid","total":12.5,"note":null,"lines":[{"item":"pen","quantity":5,"price":2.5}]}""";
    public const string Invalid = """{"number":"INV-42","customer":"Ada Lovelace","status":"Lost","total":12.5,"note":null,"lines":[{"item":"pen","quantity":0,"price":2.5}]}""";
    public const string Fenced = "Here is the invoice you asked for.\n\n```json\n" + Valid + "\n```";
    public const string Refusal = "I'm sorry, I can't help with that request.";

    public static readonly string[] Providers = ["openai", "anthropic", "gemini", "ollama"];

    public AimockServer Server { get; private set; } = null!;

    public static string ModelOf(string provider, bool stubborn = false) => provider switch
    {
        "openai" => "gpt-s",
        "anthropic" => "claude-s",
        "gemini" => "gemini-s",
        _ => "llama-s",
    } + (stubborn ? "-stubborn" : string.Empty);

    public async Task InitializeAsync()
    {
        var fixtures = new List<object>();
        foreach (string provider in Providers)
        {
            fixtures.Add(new { match = new { userMessage = "Your answer does not match", model = ModelOf(provider, stubborn: true) }, response = new { content = Invalid } });
        }

        fixtures.Add(new { match = new { userMessage = "Your answer does not match" }, response = new { content = Valid } });
        fixtures.Add(new { match = new { userMessage = "extract valid" }, response = new { content = Valid } });
        fixtures.Add(new { match = new { userMessage = "extract fenced" }, response = new { content = Fenced } });
        fixtures.Add(new { match = new { userMessage = "extract invalid" }, response = new { content = Invalid } });
        fixtures.Add(new { match = new { userMessage = "extract refused" }, response = new { content = Refusal, finishReason = "content_filter" } });
        fixtures.Add(new { match = new { userMessage = "extract streamed" }, response = new { content = Valid }, chunkSize = 9 });
        Server = await AimockServer.StartAsync(new Dictionary<string, string>
        {
            ["structured.json"] = JsonSerializer.Serialize(new { fixtures }),
        });
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>The request bodies aimock received from one test, in order.</summary>
    public async Task<List<JsonElement>> RequestsAsync(string testId)
    {
        using var http = new HttpClient();
        using var journal = JsonDocument.Parse(await http.GetStringAsync(new Uri(Server.BaseUri, $"__aimock/journal?testId={Uri.EscapeDataString(testId)}")));
        return journal.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.Object)
            .Select(e => e.GetProperty("body").Clone())
            .ToList();
    }
}
