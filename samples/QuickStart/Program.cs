// LlmKit QuickStart: one AddLlmKit() registration, then the IChatClient it gives you.
// With no provider API key in the environment it runs on the offline model from LlmKit.Testing,
// so it works on a fresh machine with no network.
using LlmKit;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

// With a provider key, the real provider; without one, the offline model. The app code below is the same.
string? providerName =
    !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY")) ? "openai"
    : !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY")) ? "anthropic"
    : !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GEMINI_API_KEY")) ? "gemini"
    : null;

Console.WriteLine(providerName switch
{
    "openai" => "Running on OpenAI (gpt-4o-mini): OPENAI_API_KEY is set.",
    "anthropic" => "Running on Anthropic (claude-haiku-4-5): ANTHROPIC_API_KEY is set.",
    "gemini" => "Running on Gemini (gemini-2.5-flash): GEMINI_API_KEY is set.",
    _ => "Running on the offline model: no OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY is set, so no request leaves this machine.",
});

var services = new ServiceCollection();
services.AddLlmKit(kit =>
{
    switch (providerName)
    {
        case "openai":
            kit.AddOpenAI().AddModel("smart", "openai", "gpt-4o-mini");
            break;
        case "anthropic":
            kit.AddAnthropic().AddModel("smart", "anthropic", "claude-haiku-4-5");
            break;
        case "gemini":
            kit.AddGemini().AddModel("smart", "gemini", "gemini-2.5-flash");
            break;
        default:
            kit.AddProvider("offline", _ => new OfflineChatClient()).AddModel("smart", "offline", OfflineChatClient.ModelId);
            break;
    }

    kit.UseDefaultModel("smart");
});

await using var provider = services.BuildServiceProvider();
var chat = provider.GetRequiredService<IChatClient>();

// 1. One call, with the request context that budgets, usage and telemetry read.
var options = new ChatOptions().WithLlmContext(new LlmRequestContext { TenantId = "quickstart", UserId = "you" });
var response = await chat.GetResponseAsync("What does LlmKit give a .NET app?", options);
Console.WriteLine();
Console.WriteLine($"> {response.Text}");
Console.WriteLine($"  model {response.ModelId}, {response.Usage?.InputTokenCount} input and {response.Usage?.OutputTokenCount} output tokens, served by '{(LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route) ? route.Deployment.Name : "?")}'");

// 2. The same pipeline, streamed.
Console.WriteLine();
Console.Write("> ");
await foreach (var update in chat.GetStreamingResponseAsync("Stream a short answer, please.", options))
{
    Console.Write(update.Text);
}

Console.WriteLine();
