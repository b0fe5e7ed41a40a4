// LlmKit QuickStart: one AddLlmKit() registration, then the IChatClient it gives you.
// With no provider API key in the environment it runs on the offline model from LlmKit.Testing,
// so it works on a fresh machine with no network.
using LlmKit;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

string[] keyVariables = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"];
string? keyFound = keyVariables.FirstOrDefault(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

// The provider packages (LlmKit.OpenAI, LlmKit.Anthropic, LlmKit.Gemini) plug in here as kit.AddOpenAI() etc.
// This build ships none yet, so every run uses the offline model and says why on its first line.
Console.WriteLine(keyFound is null
    ? "Running on the offline model: no OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY is set."
    : $"Running on the offline model: {keyFound} is set, but this build has no provider package to use it yet.");

var services = new ServiceCollection();
services.AddLlmKit(kit => kit
    .AddProvider("offline", _ => new OfflineChatClient())
    .AddModel("smart", "offline", OfflineChatClient.ModelId)
    .UseDefaultModel("smart"));

await using var provider = services.BuildServiceProvider();
var chat = provider.GetRequiredService<IChatClient>();

// 1. One call, with the request context that budgets, usage and telemetry read.
var options = new ChatOptions().WithLlmContext(new LlmRequestContext { TenantId = "quickstart", UserId = "you" });
var response = await chat.GetResponseAsync("What does LlmKit give a .NET app?", options);
Console.WriteLine();
Console.WriteLine($"> {response.Text}");
Console.WriteLine($"  model {response.ModelId}, {response.Usage?.InputTokenCount} input and {response.Usage?.OutputTokenCount} output tokens, served by '{response.AdditionalProperties?[LlmKitResponseProperties.Deployment]}'");

// 2. The same pipeline, streamed.
Console.WriteLine();
Console.Write("> ");
await foreach (var update in chat.GetStreamingResponseAsync("Stream a short answer, please.", options))
{
    Console.Write(update.Text);
}

Console.WriteLine();
