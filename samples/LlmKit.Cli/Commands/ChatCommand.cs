using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit chat</c>: one chat turn through the full LlmKit pipeline.</summary>
internal static class ChatCommand
{
    public static Command Create(Option<bool> json, Option<FileInfo?> config)
    {
        var model = new Option<string?>("--model") { Description = "The logical model or provider model id (default: LlmKit:DefaultModel)." };
        var provider = new Option<string?>("--provider") { Description = "A provider (openai, anthropic, gemini, ollama, a profile such as vllm or groq, 'offline') or a connection from --config." };
        var baseUrl = new Option<string?>("--base-url") { Description = "The server address for --provider (a custom address always works)." };
        var apiKey = new Option<string?>("--api-key") { Description = "The API key for --provider (default: the provider's usual environment variable)." };
        var stream = new Option<bool>("--stream") { Description = "Stream the answer as it is generated." };
        var system = new Option<string?>("--system") { Description = "A system message to send first." };
        var db = new Option<FileInfo?>("--db") { Description = "A SQLite file (created if missing) whose conversation --conversation the turn is appended to." };
        var conversation = new Option<string?>("--conversation") { Description = "The id of the conversation in --db (created if missing); the model sees its earlier turns." };
        var cache = new Option<string?>("--cache") { Description = "Answer repeated requests from the response cache: memory, sqlite=FILE or redis=HOST:PORT." };
        var schemaFile = new Option<FileInfo?>("--schema") { Description = "A JSON Schema file: the answer must be a JSON value valid against it (native structured output where the model has it); prints the validated JSON." };
        var repair = new Option<int?>("--repair") { Description = "With --schema: the repair rounds after an answer that does not match the schema (default 1)." };
        var message = new Argument<string>("MESSAGE") { Description = "The user message ('-' reads standard input)." };

        var command = new Command("chat", "One chat turn through the full pipeline.") { model, provider, baseUrl, apiKey, stream, system, db, conversation, cache, schemaFile, repair, message };
        command.SetAction(async (parse, cancellationToken) =>
        {
            bool asJson = parse.GetValue(json);
            string text = parse.GetValue(message)!;
            if (text == "-")
            {
                text = await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                throw new CliInputException("MESSAGE is empty: pass the text to send, or '-' to read it from standard input.");
            }

            var dbFile = parse.GetValue(db);
            string? conversationId = parse.GetValue(conversation);
            if ((dbFile is null) != (conversationId is null))
            {
                throw new CliInputException("--db and --conversation go together: give both to append the turn to a persisted conversation, or neither.");
            }

            if (conversationId is not null && string.IsNullOrWhiteSpace(conversationId))
            {
                throw new CliInputException("--conversation is empty: give the id of the conversation to continue or create.");
            }

            if (dbFile is not null && dbFile.Directory is { Exists: false } directory)
            {
                throw new CliInputException($"--db: the directory '{directory.FullName}' does not exist.");
            }

            StructuredOutputSchema? schema = null;
            if (parse.GetValue(schemaFile) is { } file)
            {
                if (!file.Exists)
                {
                    throw new CliInputException($"--schema: file '{file.FullName}' does not exist.");
                }

                if (parse.GetValue(stream) || conversationId is not null)
                {
                    throw new CliInputException("--schema works on a single non-streamed turn: leave out --stream and --conversation.");
                }

                schema = StructuredOutputSchema.FromJson(await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false));
            }
            else if (parse.GetValue(repair) is not null)
            {
                throw new CliInputException("--repair goes with --schema: give the JSON Schema file the answer must match.");
            }

            if (parse.GetValue(repair) is < 0)
            {
                throw new CliInputException("--repair: give 0 (no repair) or more rounds.");
            }

            var cacheSetup = ParseCache(parse.GetValue(cache));
            using var services = CliHost.Build(parse.GetValue(config), new CliConnection(parse.GetValue(provider), ParseUrl(parse.GetValue(baseUrl)), parse.GetValue(apiKey)), Console.Error, dbFile, cacheSetup, out _);
            if (conversationId is not null)
            {
                return await RunPersistedAsync(services, conversationId, text, parse.GetValue(system), parse.GetValue(model), parse.GetValue(stream), asJson, cancellationToken).ConfigureAwait(false);
            }

            var client = services.GetRequiredService<IChatClient>();
            var messages = new List<ChatMessage>();
            if (parse.GetValue(system) is { } systemText)
            {
                messages.Add(new ChatMessage(ChatRole.System, systemText));
            }

            messages.Add(new ChatMessage(ChatRole.User, text));
            var options = new ChatOptions { ModelId = parse.GetValue(model) };
            if (schema is not null)
            {
                options.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.Json, "result");
                if (parse.GetValue(repair) is { } rounds)
                {
                    options.WithRepairRounds(rounds);
                }
            }

            ChatResponse response;
            if (parse.GetValue(stream))
            {
                var updates = new List<ChatResponseUpdate>();
                await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
                {
                    updates.Add(update);
                    if (!asJson)
                    {
                        Console.Out.Write(update.Text);
                    }
                }

                response = updates.ToChatResponse();
                if (!asJson)
                {
                    Console.Out.WriteLine();
                }
            }
            else
            {
                response = await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
                if (!asJson)
                {
                    Console.Out.WriteLine(response.Text);
                }
            }

            if (asJson)
            {
                var usage = response.Usage;
                var result = new ChatResult(
                    response.Text,
                    response.ModelId,
                    FindProvider(response),
                    response.FinishReason?.Value,
                    new ChatUsage(usage?.InputTokenCount, usage?.OutputTokenCount, usage?.CachedInputTokenCount, usage?.ReasoningTokenCount),
                    PriceChat(services, response, options),
                    null,
                    IsCached(response),
                    SavedCost(response));
                if (response.GetStructuredOutputInfo() is { } info)
                {
                    using var structured = JsonDocument.Parse(response.Text);
                    result = result with
                    {
                        Structured = structured.RootElement.Clone(),
                        RepairRounds = info.RepairRounds,
                        StructuredPath = info.Path == StructuredOutputPath.Native ? "native" : "emulated",
                    };
                }

                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.ChatResult));
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    /// <summary>One turn of a persisted conversation through <see cref="IConversationService"/>: history loaded, turn stored.</summary>
    private static async Task<int> RunPersistedAsync(IServiceProvider services, string conversationId, string text, string? system, string? model, bool stream, bool asJson, CancellationToken cancellationToken)
    {
        var conversations = services.GetRequiredService<IConversationService>();
        var options = new ChatOptions { ModelId = model };
        var sendOptions = new ConversationSendOptions { ChatOptions = options, SystemPrompt = system, CreateIfMissing = true };
        var userMessage = new ChatMessage(ChatRole.User, text);
        ChatResponse response;
        if (stream)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in conversations.SendStreamingAsync(conversationId, userMessage, sendOptions, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                if (!asJson)
                {
                    Console.Out.Write(update.Text);
                }
            }

            response = updates.ToChatResponse();
            if (!asJson)
            {
                Console.Out.WriteLine();
            }
        }
        else
        {
            var turn = await conversations.SendAsync(conversationId, userMessage, sendOptions, cancellationToken).ConfigureAwait(false);
            response = turn.Response;
            if (!asJson)
            {
                Console.Out.WriteLine(response.Text);
            }
        }

        if (asJson)
        {
            var usage = response.Usage;
            var result = new ChatResult(
                response.Text,
                response.ModelId,
                FindProvider(response),
                response.FinishReason?.Value,
                new ChatUsage(usage?.InputTokenCount, usage?.OutputTokenCount, usage?.CachedInputTokenCount, usage?.ReasoningTokenCount),
                PriceChat(services, response, options),
                conversationId,
                IsCached(response),
                SavedCost(response));
            Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.ChatResult));
        }

        return CliExitCodes.Success;
    }

    /// <summary>
    /// Turns <c>--cache</c> into the cache setup: the response cache on for every request, in memory, with a SQLite file
    /// (created if missing) or a Redis server as its second level.
    /// </summary>
    private static Action<ILlmKitBuilder>? ParseCache(string? text)
    {
        if (text is null)
        {
            return null;
        }

        Action<ILlmKitBuilder> on = kit => kit.Configure(o => o.ResponseCache.Mode = ResponseCacheMode.All);
        if (text == "memory")
        {
            return on;
        }

        if (text.StartsWith("sqlite=", StringComparison.Ordinal) && text.Length > "sqlite=".Length)
        {
            var file = new FileInfo(text["sqlite=".Length..]);
            if (file.Directory is { Exists: false } directory)
            {
                throw new CliInputException($"--cache: the directory '{directory.FullName}' does not exist.");
            }

            string connection = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = file.FullName }.ToString();
            return kit => { on(kit); kit.UseSqliteCache(connection); };
        }

        if (text.StartsWith("redis=", StringComparison.Ordinal) && text.Length > "redis=".Length)
        {
            string server = text["redis=".Length..];
            return kit =>
            {
                on(kit);
                kit.Services.AddStackExchangeRedisCache(o => o.Configuration = server);
            };
        }

        throw new CliInputException($"--cache: '{text}' is not a cache; use memory, sqlite=FILE or redis=HOST:PORT.");
    }

    private static bool IsCached(ChatResponse response)
        => response.AdditionalProperties?.TryGetValue(LlmKitResponseProperties.Cached, out object? cached) == true && cached is true;

    private static decimal? SavedCost(ChatResponse response)
        => response.AdditionalProperties?.TryGetValue(LlmKitResponseProperties.SavedCostUsd, out object? saved) == true && saved is decimal amount ? amount : null;

    private static Uri? ParseUrl(string? text)
        => text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri
        : throw new CliInputException($"--base-url: '{text}' is not an absolute http or https address.");

    /// <summary>Prices the turn by the model the provider reported, else the model that was asked for; unknown stays unknown.</summary>
    internal static ChatCost PriceChat(IServiceProvider services, ChatResponse response, ChatOptions options)
    {
        if (IsCached(response))
        {
            // Answered from the response cache: no provider was called.
            return new ChatCost(0m, true);
        }

        if (response.Usage is not { } usage)
        {
            return new ChatCost(null, false);
        }

        var calculator = services.GetRequiredService<ICostCalculator>();
        var router = services.GetRequiredService<IChatClient>().GetService<ModelRouterChatClient>();
        string? deploymentModel = router is null ? null : SafeResolve(router, options.ModelId);
        foreach (string? candidate in new[] { response.ModelId, deploymentModel, options.ModelId })
        {
            if (candidate is not null && calculator.Calculate(candidate, usage) is { IsKnown: true } cost)
            {
                return new ChatCost(cost.Total, true);
            }
        }

        return new ChatCost(null, false);
    }

    private static string? SafeResolve(ModelRouterChatClient router, string? model)
    {
        try
        {
            return router.Resolve(model).Model;
        }
        catch (LlmKitException)
        {
            return null;
        }
    }

    private static string? FindProvider(ChatResponse response)
    {
        return LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route) ? route.Provider : null;
    }
}
