using LlmKit;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace QuickStart;

/// <summary>The QuickStart sample's steps; <c>Program.cs</c> runs them on the console (the tests run them in-process).</summary>
internal static class QuickStartApp
{
    /// <summary>The id of the persisted conversation the last step continues.</summary>
    public const string ConversationId = "quickstart";

    /// <summary>Runs the sample once.</summary>
    /// <param name="databasePath">The SQLite file the conversation is kept in (created when missing).</param>
    /// <param name="environment">Reads an environment variable (the provider keys); <see langword="null"/> when it is not set.</param>
    /// <param name="output">Where the sample writes what it does.</param>
    /// <returns>How many messages the conversation had before and after this run.</returns>
    public static async Task<(long EarlierMessages, long NowMessages)> RunAsync(string databasePath, Func<string, string?> environment, TextWriter output)
    {
        // With a provider key, the real provider; without one, the offline model. The app code below is the same.
        string? providerName =
            !string.IsNullOrEmpty(environment("OPENAI_API_KEY")) ? "openai"
            : !string.IsNullOrEmpty(environment("ANTHROPIC_API_KEY")) ? "anthropic"
            : !string.IsNullOrEmpty(environment("GEMINI_API_KEY")) ? "gemini"
            : null;

        output.WriteLine(providerName switch
        {
            "openai" => "Running on OpenAI (gpt-4o-mini): OPENAI_API_KEY is set.",
            "anthropic" => "Running on Anthropic (claude-haiku-4-5): ANTHROPIC_API_KEY is set.",
            "gemini" => "Running on Gemini (gemini-2.5-flash): GEMINI_API_KEY is set.",
            _ => "Running on the offline model: no OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY is set, so no request leaves this machine.",
        });

        var services = new ServiceCollection();
        services.AddLlmKit(kit =>
        {
            // The conversation store: one line switches it from memory (the default) to a SQLite file.
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
        output.WriteLine();
        output.WriteLine($"> {response.Text}");
        output.WriteLine($"  model {response.ModelId}, {response.Usage?.InputTokenCount} input and {response.Usage?.OutputTokenCount} output tokens, served by '{(LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route) ? route.Deployment.Name : "?")}'");

        // 2. The same pipeline, streamed.
        output.WriteLine();
        output.Write("> ");
        await foreach (var update in chat.GetStreamingResponseAsync("Stream a short answer, please.", options))
        {
            output.Write(update.Text);
        }

        output.WriteLine();

        // 3. A persisted conversation: loaded from the SQLite file, one turn added, stored again (run it twice).
        var conversations = provider.GetRequiredService<IConversationService>();
        var store = provider.GetRequiredService<IConversationStore>();
        var earlier = await store.GetAsync(ConversationId, includeMessages: false);
        long earlierMessages = earlier?.MessageCount ?? 0;
        output.WriteLine();
        output.WriteLine(earlier is null
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
        output.WriteLine($"> {turn.Response.Text}");
        long nowMessages = (await store.GetAsync(ConversationId, includeMessages: false))!.MessageCount;
        output.WriteLine($"  the prompt held {turn.PromptTokens} tokens; the conversation now has {nowMessages} messages (run again to continue it, delete {Path.GetFileName(databasePath)} to start over)");
        return (earlierMessages, nowMessages);
    }
}
