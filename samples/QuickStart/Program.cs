// LlmKit QuickStart: one AddLlmKit() registration, then the IChatClient it gives you.
// With no provider API key in the environment it runs on the offline model from LlmKit.Testing,
// so it works on a fresh machine with no network. Its conversation is kept in quickstart.db (SQLite) in the
// working directory, so the next run continues it.
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

// The conversation store: one line switches it from memory (the default) to a SQLite file.
string databasePath = Path.GetFullPath("quickstart.db");

var services = new ServiceCollection();
services.AddLlmKit(kit =>
{
    kit.UseSqliteStores($"Data Source={databasePath}");
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

            // The offline model is not in the model catalog: give the conversation service a window to fit.
            kit.Configure(o => o.Conversations.DefaultContextWindow = 128_000);
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

// 3. A persisted conversation: loaded from quickstart.db, one turn added, stored again (run it twice).
var conversations = provider.GetRequiredService<IConversationService>();
var store = provider.GetRequiredService<IConversationStore>();
const string ConversationId = "quickstart";
var earlier = await store.GetAsync(ConversationId, includeMessages: false);
long earlierMessages = earlier?.MessageCount ?? 0;
Console.WriteLine();
Console.WriteLine(earlier is null
    ? $"Conversation '{ConversationId}' is new; it is kept in {databasePath}."
    : $"Loaded {earlierMessages} earlier messages of conversation '{ConversationId}' from {databasePath}.");
var turn = await conversations.SendAsync(
    ConversationId,
    new ChatMessage(ChatRole.User, $"This is message {(earlierMessages / 2) + 1} of our QuickStart conversation."),
    new ConversationSendOptions
    {
        ChatOptions = options,
        CreateIfMissing = true,
        Title = "QuickStart",
        SystemPrompt = "You are a concise assistant.",
    });
Console.WriteLine($"> {turn.Response.Text}");
long nowMessages = (await store.GetAsync(ConversationId, includeMessages: false))!.MessageCount;
Console.WriteLine($"  the prompt held {turn.PromptTokens} tokens; the conversation now has {nowMessages} messages (run again to continue it, delete {Path.GetFileName(databasePath)} to start over)");
