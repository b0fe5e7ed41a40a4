using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Conversations;

public sealed class ConversationServiceTests
{
    private static readonly TiktokenTokenizer T = TiktokenTokenizer.O200kBase;

    private const int Priming = 3;

    // The cookbook's chat format from plain text counts: 3 per message, the role, the content.
    private static int Message(string role, string content) => 3 + T.CountTokens(role) + T.CountTokens(content);

    private static string Words(int count, string word) => string.Join(' ', Enumerable.Repeat(word, count));

    private sealed class Harness : IDisposable
    {
        private Harness(ServiceProvider services, ScriptedChatClient provider, RecordingChatClient recording, FakeTimeProvider time)
        {
            Services = services;
            Provider = provider;
            Recording = recording;
            Time = time;
        }

        public ServiceProvider Services { get; }

        public ScriptedChatClient Provider { get; }

        public RecordingChatClient Recording { get; }

        public FakeTimeProvider Time { get; }

        public IConversationService Service => Services.GetRequiredService<IConversationService>();

        public IConversationStore Store => Services.GetRequiredService<IConversationStore>();

        public static Harness Create(Action<ConversationOptions>? conversations = null, int? contextWindow = null, int? maxOutput = null, string model = "gpt-4o-mini", Func<IChatClient, IChatClient>? wrap = null, Action<ILlmKitBuilder>? extra = null)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
            var provider = new ScriptedChatClient(time);
            var recording = new RecordingChatClient(wrap?.Invoke(provider) ?? provider, time);
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            services.AddLlmKit(kit =>
            {
                kit.AddProvider("openai", _ => recording)
                    .AddModel("chat", "openai", model)
                    .AddModel("cheap", "openai", "gpt-4.1-nano")
                    .UseDefaultModel("chat")
                    .Configure(o =>
                    {
                        conversations?.Invoke(o.Conversations);
                        if (contextWindow is not null || maxOutput is not null)
                        {
                            o.Catalog[model] = new ModelCatalogEntryOptions { Provider = "openai", ContextWindow = contextWindow, MaxOutputTokens = maxOutput };
                        }
                    });
                extra?.Invoke(kit);
            });
            return new Harness(services.BuildServiceProvider(), provider, recording, time);
        }

        public Task SeedAsync(string id, params ChatMessage[] messages) =>
            Store.CreateAsync(new Conversation { Id = id, Messages = [.. messages.Select(m => new ConversationMessage { Message = m })] });

        public void Dispose() => Services.Dispose();
    }

    [Fact]
    public async Task SendAsync_Success_StoresUserAndAnswerWithUsageAndCostInOneAppend()
    {
        using var h = Harness.Create(c => c.SystemPrompt = "You are a travel agent.");
        await h.SeedAsync("c1");
        h.Provider.ReturnsText("Hello Ada!", new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 });

        var turn = await h.Service.SendAsync("c1", "Hi, I am Ada.", new ConversationSendOptions { Context = new LlmRequestContext { TenantId = "acme", RequestId = "r-1" } });

        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(2, stored!.Version); // created at 1, one append
        Assert.Equal(2, turn.Version);
        Assert.Equal(["Hi, I am Ada.", "Hello Ada!"], stored.Messages.Select(m => m.Message.Text));
        Assert.All(stored.Messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
        var answer = stored.Messages[1];
        Assert.Equal(ChatRole.Assistant, answer.Message.Role);
        Assert.Equal(1000, answer.Usage!.InputTokenCount);
        Assert.Equal("gpt-4o-mini", answer.Model);

        // gpt-4o-mini: 1000 x 0.15 + 500 x 0.60 per million = 0.00045 USD.
        Assert.Equal(0.00045m, answer.Cost!.Total);
        Assert.Equal(0.00045m, stored.CostUsd);
        Assert.Equal(turn.UserMessage.Message.MessageId, stored.Messages[0].Message.MessageId);

        var sent = Assert.Single(h.Recording.Requests);
        Assert.Equal(ChatRole.System, sent.Messages[0].Role);
        Assert.Equal("You are a travel agent.", sent.Messages[0].Text);
        Assert.Equal("Hi, I am Ada.", sent.Messages[1].Text);
        var context = sent.Options.GetLlmContext();
        Assert.Equal("c1", context.ConversationId);
        Assert.Equal("acme", context.TenantId);
        Assert.Equal("r-1", context.RequestId);
        Assert.Equal(Priming + Message("system", "You are a travel agent.") + Message("user", "Hi, I am Ada."), turn.PromptTokens);
        Assert.True(turn.TokenCountIsExact);

        // The pipeline's metering charged the call to the conversation, at the same cost.
        var totals = await h.Services.GetRequiredService<IUsageLedger>().GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Conversation("c1") });
        Assert.Equal(1, totals.Calls);
        Assert.Equal(0.00045m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task SendAsync_LongHistory_FitsExactlyKeepingSystemAndNeverSplittingToolCalls()
    {
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]);
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 21 C")]);
        const string A2 = "It is sunny and 21 C in Paris.", U2 = "And tomorrow?", A3 = "Rain is expected tomorrow.", New = "Should I take an umbrella?";
        int expected = Priming + Message("system", "Be brief.") + Message("assistant", A2) + Message("user", U2) + Message("assistant", A3) + Message("user", New);

        // The stored tool result comes back as JSON, so it is sent (and counted) as the JSON string "sunny, 21 C".
        int toolResult = 3 + T.CountTokens("tool") + T.CountTokens("\"sunny, 21 C\"");
        int budget = expected + toolResult; // room for the result alone, never for the call with it
        using var h = Harness.Create(c => c.SystemPrompt = "Be brief.", contextWindow: budget + 100, maxOutput: 100);
        await h.SeedAsync(
            "c1",
            new ChatMessage(ChatRole.User, "Tell me about the weather in Paris today please"),
            call,
            result,
            new ChatMessage(ChatRole.Assistant, A2),
            new ChatMessage(ChatRole.User, U2),
            new ChatMessage(ChatRole.Assistant, A3));
        h.Provider.ReturnsText("Yes.");

        var turn = await h.Service.SendAsync("c1", New);

        var sent = Assert.Single(h.Recording.Requests).Messages;
        Assert.Equal(["Be brief.", A2, U2, A3, New], sent.Select(m => m.Text));
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.DoesNotContain(sent, m => m.Contents.Any(c => c is FunctionResultContent or FunctionCallContent));
        Assert.Equal(expected, turn.PromptTokens);
        Assert.Equal(budget, turn.PromptBudget);
        Assert.Equal(3, turn.OmittedMessages);
    }

    [Fact]
    public async Task SendAsync_CallOptionsMaxOutput_ReservedInsteadOfModelMaximum()
    {
        const string Old = "An older message with a few words.", New = "The newest message.";
        int both = Priming + Message("user", Old) + Message("user", New);
        using var h = Harness.Create(contextWindow: both + 1000, maxOutput: 1000);
        await h.SeedAsync("c1", new ChatMessage(ChatRole.User, Old));
        await h.SeedAsync("c2", new ChatMessage(ChatRole.User, Old));
        h.Provider.ReturnsText("a").ReturnsText("b");

        var roomy = await h.Service.SendAsync("c1", New);
        var tight = await h.Service.SendAsync("c2", New, new ConversationSendOptions { ChatOptions = new ChatOptions { MaxOutputTokens = 1001 } });

        Assert.Equal(both, roomy.PromptTokens);
        Assert.Equal(both, roomy.PromptBudget);
        Assert.Equal(0, roomy.OmittedMessages);
        Assert.Equal(both - 1, tight.PromptBudget);
        Assert.Equal(Priming + Message("user", New), tight.PromptTokens);
        Assert.Equal(1, tight.OmittedMessages);
        Assert.Equal([New], h.Recording.Requests[1].Messages.Select(m => m.Text));
        Assert.Equal(1001, h.Recording.Requests[1].Options!.MaxOutputTokens);
    }

    [Fact]
    public async Task SendAsync_MissingConversation_ThrowsNotFoundOrCreatesWhenAsked()
    {
        using var h = Harness.Create();
        h.Provider.ReturnsText("hi");

        var ex = await Assert.ThrowsAsync<ConversationNotFoundException>(() => h.Service.SendAsync("nope", "hello"));
        var turn = await h.Service.SendAsync("new", "hello", new ConversationSendOptions { CreateIfMissing = true, Title = "Greeting", Context = new LlmRequestContext { TenantId = "t1", UserId = "u1" } });

        Assert.Equal("nope", ex.ConversationId);
        Assert.Null(await h.Store.GetAsync("nope"));
        var created = await h.Store.GetAsync("new");
        Assert.Equal("Greeting", created!.Title);
        Assert.Equal("t1", created.TenantId);
        Assert.Equal("u1", created.UserId);
        Assert.Equal(2, created.Messages.Count);
        Assert.Equal(2, turn.Version);
    }

    [Fact]
    public async Task SendAsync_CallFails_KeepsUserMessageFailedWritesNoAnswerAndRethrows()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.Throws(new InvalidOperationException("boom")).ReturnsText("second answer");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Service.SendAsync("c1", "first question"));

        Assert.Equal("boom", ex.Message);
        var stored = await h.Store.GetAsync("c1");
        var only = Assert.Single(stored!.Messages);
        Assert.Equal("first question", only.Message.Text);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);

        // The failed message is kept but not sent again.
        await h.Service.SendAsync("c1", "second question");
        Assert.Equal(["second question"], h.Recording.Requests[^1].Messages.Select(m => m.Text));
        Assert.Equal(3, (await h.Store.GetAsync("c1"))!.Messages.Count);
    }

    [Fact]
    public async Task SendAsync_ConversationChangedDuringCall_ThrowsConflictKeepsUserFailedNoAnswer()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        var store = h.Store;
        h.Provider.Responds((_, _) =>
        {
            // Another writer appends while the model answers.
            store.AppendAsync("c1", [new ConversationMessage { Message = new ChatMessage(ChatRole.User, "from elsewhere") { MessageId = "other" } }]).GetAwaiter().GetResult();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer"));
        });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => h.Service.SendAsync("c1", "mine"));

        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(["from elsewhere", "mine"], stored!.Messages.Select(m => m.Message.Text));
        Assert.Equal(ConversationMessageStatus.Failed, stored.Messages[1].Status);
        Assert.DoesNotContain(stored.Messages, m => m.Message.Role == ChatRole.Assistant);
    }

    [Fact]
    public async Task SendAsync_UserMessageWithAssistantRole_ThrowsArgumentException()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => h.Service.SendAsync("c1", new ChatMessage(ChatRole.Assistant, "x")));

        Assert.Contains("role 'user'", ex.Message, StringComparison.Ordinal);
        Assert.Empty((await h.Store.GetAsync("c1"))!.Messages);
    }

    [Fact]
    public async Task SendAsync_SystemPromptAndMessageOverWindow_ThrowsContextWindowExceededAndKeepsUserFailed()
    {
        using var h = Harness.Create(c => c.SystemPrompt = Words(50, "rule"), contextWindow: 140, maxOutput: 100);
        await h.SeedAsync("c1");

        await Assert.ThrowsAsync<ContextWindowExceededException>(() => h.Service.SendAsync("c1", "hello"));

        Assert.Equal(0, h.Provider.CallCount);
        Assert.Equal(ConversationMessageStatus.Failed, Assert.Single((await h.Store.GetAsync("c1"))!.Messages).Status);
    }

    [Fact]
    public async Task SendStreamingAsync_Completes_StoresAnswerAfterTheStream()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.StreamsChunks(["Hel", "lo", "!"], usage: new UsageDetails { InputTokenCount = 10, OutputTokenCount = 3 });
        var seenBeforeEnd = new List<int>();

        var text = new List<string>();
        await foreach (var update in h.Service.SendStreamingAsync("c1", "hi"))
        {
            text.Add(update.Text);
            seenBeforeEnd.Add((await h.Store.GetAsync("c1"))!.Messages.Count);
        }

        Assert.Equal("Hello!", string.Concat(text));
        Assert.All(seenBeforeEnd, count => Assert.Equal(0, count));
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(["hi", "Hello!"], stored!.Messages.Select(m => m.Message.Text));
        Assert.Equal(3, stored.Messages[1].Usage!.OutputTokenCount);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task SendStreamingAsync_FailsMidway_KeepsUserFailedAndNoPartialAnswer()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.StreamsThenFails(["Partial ", "answer"], new InvalidOperationException("connection reset"));

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var update in h.Service.SendStreamingAsync("c1", "hi"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal("connection reset", ex.Message);
        Assert.Equal("Partial answer", string.Concat(received));
        var only = Assert.Single((await h.Store.GetAsync("c1"))!.Messages);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.Equal("hi", only.Message.Text);
    }

    [Fact]
    public async Task SendStreamingAsync_CancelledMidStream_StoreConsistentWithUserFailed()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.StreamsChunks(["one ", "two ", "three"], delayPerChunk: TimeSpan.FromSeconds(1));
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        var run = Task.Run(async () =>
        {
            await foreach (var update in h.Service.SendStreamingAsync("c1", "count", cancellationToken: cts.Token))
            {
                received.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FakeTime.DriveAsync(h.Time, run));
        Assert.StartsWith("one", string.Concat(received), StringComparison.Ordinal);
        Assert.DoesNotContain("three", string.Concat(received), StringComparison.Ordinal);
        var stored = await h.Store.GetAsync("c1");
        var only = Assert.Single(stored!.Messages);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task SendStreamingAsync_CallerStopsReading_KeepsUserFailedAndNoPartialAnswer()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.StreamsChunks(["one ", "two ", "three"]);

        await foreach (var update in h.Service.SendStreamingAsync("c1", "count"))
        {
            break;
        }

        var only = Assert.Single((await h.Store.GetAsync("c1"))!.Messages);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
    }

    [Fact]
    public async Task SendAsync_SummarizeStrategy_SummarisesOnTriggerOnlyAndBuildsOnPreviousSummary()
    {
        using var h = Harness.Create(c =>
        {
            c.ContextStrategy = ConversationContextStrategy.Summarize;
            c.SummarizerModel = "cheap";
            c.SummaryTriggerTokens = 400;
            c.SummaryTargetRatio = 0.5;
        });

        // Eight messages of about 50 tokens: about 450 tokens with the new one, over the trigger of 400.
        var seed = Enumerable.Range(1, 8).Select(i => new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"m{i} " + Words(45, "apple")) { MessageId = $"m{i}" }).ToArray();
        await h.SeedAsync("c1", seed);
        h.Provider.ReturnsText("SUMMARY-1").ReturnsText("answer 1").ReturnsText("answer 2").ReturnsText("SUMMARY-2").ReturnsText("answer 3");

        var first = await h.Service.SendAsync("c1", "q1");

        // The summariser ran on the cheap model; the older messages are replaced by the summary, the newest kept verbatim.
        Assert.True(first.Summarized);
        Assert.Equal("gpt-4.1-nano", h.Recording.Requests[0].ModelId);
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal("SUMMARY-1", stored!.Metadata[ConversationMetadataKeys.Summary]);
        string through = stored.Metadata[ConversationMetadataKeys.SummaryThrough];
        int covered = int.Parse(through[1..], System.Globalization.CultureInfo.InvariantCulture);
        var main = h.Recording.Requests[1].Messages;
        Assert.Equal(SummarizingChatReducer.SummaryPrefix + "SUMMARY-1", main[0].Text);
        Assert.Equal([.. seed.Skip(covered).Select(m => m.Text), "q1"], main.Skip(1).Select(m => m.Text));
        Assert.True(first.PromptTokens <= 200 + Message("system", SummarizingChatReducer.SummaryPrefix + "SUMMARY-1"));
        Assert.Equal(3, stored.Version); // created, summary stored, turn appended

        // Below the trigger again: no summariser call, the summary and the messages after it are sent.
        var second = await h.Service.SendAsync("c1", "q2");
        Assert.False(second.Summarized);
        Assert.Equal(3, h.Recording.Count);
        Assert.Equal(SummarizingChatReducer.SummaryPrefix + "SUMMARY-1", h.Recording.Requests[2].Messages[0].Text);

        // A long message passes the trigger: the next summary is built on the previous one.
        var third = await h.Service.SendAsync("c1", "q3 " + Words(250, "pear"));
        Assert.True(third.Summarized);
        string prompt = h.Recording.Requests[3].Messages[^1].Text;
        Assert.StartsWith("Previous summary:\nSUMMARY-1\n\nNew messages to fold in:\n", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("m1 apple", prompt, StringComparison.Ordinal);
        Assert.Equal("SUMMARY-2", (await h.Store.GetAsync("c1"))!.Metadata[ConversationMetadataKeys.Summary]);
        Assert.Equal(SummarizingChatReducer.SummaryPrefix + "SUMMARY-2", h.Recording.Requests[4].Messages[0].Text);
    }

    [Fact]
    public async Task SendAsync_ExtractFacts_StoresParsedFactsAndInjectsThemLater()
    {
        using var h = Harness.Create(c =>
        {
            c.SystemPrompt = "Be kind.";
            c.Memory.ExtractFacts = true;
            c.Memory.ExtractionModel = "cheap";
        });
        await h.SeedAsync("c1");
        h.Provider
            .ReturnsText("Nice to meet you, Ada.")
            .ReturnsText("Here you go:\n```json\n[\"The user's name is Ada\", {\"fact\": \"Ada drinks tea\"}, \"\"]\n```")
            .ReturnsText("Tea it is.")
            .ReturnsText("[\"ada drinks tea\", \"Ada lives in Porto\"]");

        var first = await h.Service.SendAsync("c1", "I am Ada and I drink tea.");
        await h.Service.SendAsync("c1", "What should I drink?");
        Assert.True(first.FactsExtracted);

        var extraction = h.Recording.Requests[1];
        Assert.Equal("gpt-4.1-nano", extraction.ModelId);
        Assert.Contains("[user] I am Ada and I drink tea.", extraction.Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("[assistant] Nice to meet you, Ada.", extraction.Messages[^1].Text, StringComparison.Ordinal);
        Assert.Equal(3, first.Version); // the turn, then the facts

        var later = h.Recording.Requests[2].Messages;
        Assert.Equal("Be kind.", later[0].Text);
        Assert.Equal(ChatRole.System, later[1].Role);
        Assert.Equal("Facts remembered from earlier in this conversation:\n- The user's name is Ada\n- Ada drinks tea", later[1].Text);

        // Known facts go to the extractor; duplicates (ignoring case) are not added again.
        Assert.Contains("Known facts:\n- The user's name is Ada\n- Ada drinks tea", h.Recording.Requests[3].Messages[^1].Text, StringComparison.Ordinal);
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal("[\"The user\\u0027s name is Ada\",\"Ada drinks tea\",\"Ada lives in Porto\"]", stored!.Metadata[ConversationMetadataKeys.Facts]);
    }

    [Fact]
    public async Task SendAsync_FactReplyUnreadableOrExtractionFails_TurnStandsAndFactsUnchanged()
    {
        using var h = Harness.Create(c => c.Memory.ExtractFacts = true);
        await h.SeedAsync("c1");
        h.Provider.ReturnsText("ok").ReturnsText("I could not find any facts, sorry.").ReturnsText("ok again").Throws(new InvalidOperationException("extractor down"));

        var first = await h.Service.SendAsync("c1", "hello");
        var second = await h.Service.SendAsync("c1", "hello again");

        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(4, stored!.Messages.Count);
        Assert.False(stored.Metadata.ContainsKey(ConversationMetadataKeys.Facts));

        // The unreadable reply was still a call: it is counted (without usage, so of unknown cost), which is a change.
        // The failed extraction never answered, so nothing is counted for it.
        Assert.Equal(3, first.Version);
        Assert.Equal(4, second.Version);
        Assert.False(first.FactsExtracted);
        Assert.False(second.FactsExtracted);
        Assert.Equal(1, stored.AuxiliaryUnknownCostCalls);
        Assert.Equal(0m, stored.CostUsd);
    }

    [Fact]
    public async Task SendAsync_SummaryWritten_ConversationTotalsAreTheTurnPlusTheSummaryCall()
    {
        using var h = Harness.Create(c =>
        {
            c.ContextStrategy = ConversationContextStrategy.Summarize;
            c.SummarizerModel = "cheap";
            c.SummaryTriggerTokens = 400;
            c.SummaryTargetRatio = 0.5;
        });
        var seed = Enumerable.Range(1, 8).Select(i => new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"m{i} " + Words(45, "apple")) { MessageId = $"m{i}" }).ToArray();
        await h.SeedAsync("c1", seed);
        h.Provider
            .ReturnsText("SUMMARY-1", new UsageDetails { InputTokenCount = 2000, OutputTokenCount = 100 })
            .ReturnsText("answer 1", new UsageDetails { InputTokenCount = 300, OutputTokenCount = 50 });

        var turn = await h.Service.SendAsync("c1", "q1");

        Assert.True(turn.Summarized);
        var stored = (await h.Store.GetAsync("c1"))!;
        Assert.Equal(3, stored.Version); // created, summary with its usage, turn appended

        // Summary on gpt-4.1-nano: 2000 x 0.10 + 100 x 0.40 per million = 0.00024 USD.
        // Answer on gpt-4o-mini: 300 x 0.15 + 50 x 0.60 per million = 0.000075 USD.
        Assert.Equal(2300, stored.InputTokens);
        Assert.Equal(150, stored.OutputTokens);
        Assert.Equal(0.000315m, stored.CostUsd);
        Assert.Equal(2000, stored.AuxiliaryInputTokens);
        Assert.Equal(100, stored.AuxiliaryOutputTokens);
        Assert.Equal(0.00024m, stored.AuxiliaryCostUsd);
        Assert.Equal(0, stored.AuxiliaryUnknownCostCalls);
        Assert.Equal(0.000075m, stored.Messages[^1].Cost!.Total);

        var statistics = await h.Store.GetStatisticsAsync();
        Assert.Equal(0.000315m, statistics.CostUsd);
        Assert.Equal(0.00024m, statistics.AuxiliaryCostUsd);

        // The usage ledger, which meters every call of the pipeline, charges the conversation the same.
        var ledger = await h.Services.GetRequiredService<IUsageLedger>().GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Conversation("c1") });
        Assert.Equal(2, ledger.Calls);
        Assert.Equal(0.000315m, ledger.KnownCostUsd);
    }

    [Fact]
    public async Task SendAsync_FactExtractionFindsNothing_ItsUsageStillCountsInTheTotals()
    {
        using var h = Harness.Create(c =>
        {
            c.Memory.ExtractFacts = true;
            c.Memory.ExtractionModel = "cheap";
        });
        await h.SeedAsync("c1");
        h.Provider
            .ReturnsText("Hello Ada!", new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 })
            .ReturnsText("[]", new UsageDetails { InputTokenCount = 500, OutputTokenCount = 10 })
            .ReturnsText("Porto it is.", new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 100 })
            .ReturnsText("[\"Ada lives in Porto\"]", new UsageDetails { InputTokenCount = 600, OutputTokenCount = 20 });

        var first = await h.Service.SendAsync("c1", "Hi, I am Ada.");
        var second = await h.Service.SendAsync("c1", "I live in Porto.");

        Assert.Equal(3, first.Version); // the turn, then the extraction's usage alone
        Assert.Equal(5, second.Version); // the turn, then the facts with the extraction's usage
        var stored = (await h.Store.GetAsync("c1"))!;
        Assert.Equal("[\"Ada lives in Porto\"]", stored.Metadata[ConversationMetadataKeys.Facts]);

        // Answers on gpt-4o-mini: (1000 + 1200) x 0.15 + (500 + 100) x 0.60 per million = 0.00069 USD.
        // Extractions on gpt-4.1-nano: (500 + 600) x 0.10 + (10 + 20) x 0.40 per million = 0.000122 USD.
        Assert.Equal(3300, stored.InputTokens);
        Assert.Equal(630, stored.OutputTokens);
        Assert.Equal(0.000812m, stored.CostUsd);
        Assert.Equal(1100, stored.AuxiliaryInputTokens);
        Assert.Equal(30, stored.AuxiliaryOutputTokens);
        Assert.Equal(0.000122m, stored.AuxiliaryCostUsd);
        Assert.Equal(0, stored.AuxiliaryUnknownCostCalls);
    }

    [Fact]
    public async Task SendAsync_RecallOn_ReinjectsDroppedMessageSharingKeywordsWithinBudget()
    {
        const string Locker = "My locker code at the gym is 4711.";
        var filler = Enumerable.Range(1, 6).Select(i => new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"filler {i} " + Words(30, "banana"))).ToArray();
        const string Question = "What was my locker code again?";

        // Room for the question, the last two fillers and the recall note, not for more history.
        int lastTwo = Message("user", filler[4].Text) + Message("assistant", filler[5].Text);
        string note = KeywordRecall.NoteHeading + "\n[user] " + Locker;
        int expected = Priming + Message("system", note) + lastTwo + Message("user", Question);
        using var h = Harness.Create(c => c.Memory.RecallMessages = 2, contextWindow: expected + 100 + 10, maxOutput: 100);
        await h.SeedAsync("c1", [new ChatMessage(ChatRole.User, Locker), new ChatMessage(ChatRole.Assistant, "Noted."), .. filler]);
        h.Provider.ReturnsText("4711.");

        var turn = await h.Service.SendAsync("c1", Question);

        var sent = h.Recording.Requests[0].Messages;
        Assert.Equal(note, sent[0].Text);
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.Equal([filler[4].Text, filler[5].Text, Question], sent.Skip(1).Select(m => m.Text));
        Assert.Equal(1, turn.RecalledMessages);
        Assert.Equal(expected, turn.PromptTokens);
        Assert.Equal(6, turn.OmittedMessages);
    }

    [Fact]
    public async Task SendAsync_UnknownContextWindow_ThrowsConfigurationErrorNamingTheKey()
    {
        using var h = Harness.Create();
        h.Services.GetRequiredService<IModelRegistry>().Register(new ModelDescriptor { Id = "gpt-4o-mini", Provider = "openai", ContextWindow = null });
        await h.SeedAsync("c1");

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => h.Service.SendAsync("c1", "hello"));

        Assert.Contains("LlmKit:Conversations:DefaultContextWindow", ex.Keys);
        Assert.Equal(0, h.Provider.CallCount);
    }

    [Fact]
    public void AddLlmKit_Default_RegistersServiceAndInMemoryStoreUnlessHostRegisteredOne()
    {
        var services = new ServiceCollection();
        services.AddLlmKit();
        var hostStore = new InMemoryConversationStore();
        var withHostStore = new ServiceCollection();
        withHostStore.AddSingleton<IConversationStore>(hostStore);
        withHostStore.AddLlmKit();

        using var sp = services.BuildServiceProvider();
        using var hostSp = withHostStore.BuildServiceProvider();

        Assert.IsType<InMemoryConversationStore>(sp.GetRequiredService<IConversationStore>());
        Assert.IsType<ConversationService>(sp.GetRequiredService<IConversationService>());
        Assert.Same(hostStore, hostSp.GetRequiredService<IConversationStore>());
    }

    [Fact]
    public async Task SendAsync_ModelWithoutTokenizerButExactCounter_RefitsUntilTheProviderCountFits()
    {
        ExactCounting? exact = null;
        using var h = Harness.Create(contextWindow: 250, maxOutput: 100, model: "local-llm", wrap: inner => exact = new ExactCounting(inner, 1.5));
        await h.SeedAsync("c1", [.. Enumerable.Range(1, 10).Select(i => new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"n{i} " + Words(20, "kiwi")))]);
        h.Provider.ReturnsText("ok");

        var turn = await h.Service.SendAsync("c1", "next");

        var sent = h.Recording.Requests[0].Messages.ToList();
        Assert.True(turn.TokenCountIsExact);
        Assert.True(exact!.Counts.Count >= 2, "the o200k estimate fits more than the provider's count allows, so a second fit is needed");
        Assert.True(exact.Counts[0] > 150);
        Assert.Equal(exact.Counts[^1], turn.PromptTokens);
        Assert.Equal((int)Math.Ceiling(T.CountTokens(sent) * 1.5), turn.PromptTokens);
        Assert.InRange(turn.PromptTokens, 1, 150);
        Assert.Equal("next", sent[^1].Text);
    }

    [Fact]
    public async Task SendAsync_ModelWithoutTokenizer_ReportsTheCalibratedEstimate()
    {
        using var h = Harness.Create(contextWindow: 10_000, maxOutput: 100, model: "local-llm");
        await h.SeedAsync("c1");
        h.Provider.ReturnsText("ok");

        var turn = await h.Service.SendAsync("c1", "hello");

        // The pipeline serves an o200k count scaled by the documented default factor (1.15) and rounded up for a model
        // LlmKit has no tokenizer for: 8 o200k tokens (priming 3 + message 5) give 10.
        Assert.False(turn.TokenCountIsExact);
        Assert.Equal(8, Priming + Message("user", "hello"));
        Assert.Equal(10, turn.PromptTokens);
    }

    [Fact]
    public async Task SendAsync_HostRegisteredTokenizer_FitsHistoryWithItsCounts()
    {
        // 10 stored messages of 21 words each ("nI" and 20 long words): the host's tokenizer counts 4 + 21 = 25 per message,
        // o200k several tokens per word. The window holds the priming (2), the new message (4 + 1) and exactly four of them.
        const string Long = "antidisestablishmentarianism";
        int budget = 2 + (4 + 1) + (4 * 25);
        Assert.True(Priming + Message("user", "n10 " + Words(20, Long)) > 2 * 25, "o200k must count these messages quite differently for the test to tell the counters apart");
        var words = new WordCounter();
        using var h = Harness.Create(contextWindow: budget + 100, maxOutput: 100, model: "llama3.1:8b", extra: k => k.AddTokenizer("llama*", words));
        await h.SeedAsync("c1", [.. Enumerable.Range(1, 10).Select(i => new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"n{i} " + Words(20, Long)))]);
        h.Provider.ReturnsText("ok");

        var turn = await h.Service.SendAsync("c1", "next");

        var sent = Assert.Single(h.Recording.Requests).Messages.ToList();
        Assert.Equal(["n7", "n8", "n9", "n10", "next"], sent.Select(m => m.Text.Split(' ')[0]));
        Assert.Equal(budget, turn.PromptTokens);
        Assert.Equal(budget, turn.PromptBudget);
        Assert.Equal(6, turn.OmittedMessages);
        Assert.True(turn.TokenCountIsExact);
        Assert.True(words.MessageCounts > 0);
    }

    /// <summary>
    /// A host's own tokenizer for a local model family, simple enough to count by hand: one token per word, 4 per
    /// message and 2 per prompt.
    /// </summary>
    private sealed class WordCounter : ITokenCounter
    {
        public int MessageCounts { get; private set; }

        public string Name => "words";

        public bool IsExact => true;

        public int CountTokens(ReadOnlySpan<char> text)
        {
            int count = 0;
            foreach (var _ in text.Split(' '))
            {
                count++;
            }

            return text.IsWhiteSpace() ? 0 : count;
        }

        public int CountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
        {
            MessageCounts++;
            return 2 + messages.Sum(m => 4 + CountTokens(m.Text));
        }
    }

    /// <summary>A provider whose own count endpoint counts 1.5 times the o200k count.</summary>
    private sealed class ExactCounting(IChatClient inner, double factor) : DelegatingChatClient(inner), IExactTokenCounter
    {
        public List<int> Counts { get; } = [];

        public Task<int> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            int count = (int)Math.Ceiling(T.CountTokens(messages.ToList()) * factor);
            Counts.Add(count);
            return Task.FromResult(count);
        }

        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(IExactTokenCounter) ? this : base.GetService(serviceType, serviceKey);
    }

    [Fact]
    public async Task SendAsync_SameMessageIdAfterSuccess_ReturnsStoredTurnWithoutCallingModel()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.ReturnsText("Stored answer", new UsageDetails { InputTokenCount = 5, OutputTokenCount = 2 });
        var message = new ChatMessage(ChatRole.User, "question") { MessageId = "client-1" };

        var first = await h.Service.SendAsync("c1", message);
        var retried = await h.Service.SendAsync("c1", message);
        var streamed = new List<string>();
        await foreach (var update in h.Service.SendStreamingAsync("c1", message))
        {
            streamed.Add(update.Text);
        }

        Assert.Equal(1, h.Provider.CallCount);
        Assert.Equal("Stored answer", retried.Response.Text);
        Assert.Equal(first.Version, retried.Version);
        Assert.Equal(2, retried.Response.Usage!.OutputTokenCount);
        Assert.Equal("Stored answer", string.Concat(streamed));
        Assert.Equal(2, (await h.Store.GetAsync("c1"))!.Messages.Count);
    }

    [Fact]
    public async Task SendAsync_RetryOfFailedMessageId_SentAgainUnderNewIdKeepingFailedAttempt()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.Throws(new InvalidOperationException("boom")).ReturnsText("answer");
        var message = new ChatMessage(ChatRole.User, "question") { MessageId = "client-1" };

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Service.SendAsync("c1", message));
        var retried = await h.Service.SendAsync("c1", message);

        var stored = (await h.Store.GetAsync("c1"))!.Messages;
        Assert.Equal(["question", "question", "answer"], stored.Select(m => m.Message.Text));
        Assert.Equal([ConversationMessageStatus.Failed, ConversationMessageStatus.Completed, ConversationMessageStatus.Completed], stored.Select(m => m.Status));
        Assert.Equal("client-1", stored[0].Message.MessageId);
        Assert.NotEqual("client-1", retried.UserMessage.Message.MessageId);
        Assert.Equal(["question"], h.Recording.Requests[^1].Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task SendAsync_CancelledWhileModelAnswers_KeepsUserFailedNoAnswer()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.ReturnsText("too late").WithLatency(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();

        var call = h.Service.SendAsync("c1", "hello", cancellationToken: cts.Token);
        while (h.Provider.CallCount == 0 && !call.IsCompleted)
        {
            await Task.Delay(1);
        }

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var stored = await h.Store.GetAsync("c1");
        var only = Assert.Single(stored!.Messages);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task SendAsync_HostRegisteredChatReducer_ReplacesStrategyThenWindowIsStillFitted()
    {
        var time = new FakeTimeProvider();
        var provider = new ScriptedChatClient(time).ReturnsText("ok");
        var recording = new RecordingChatClient(provider, time);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IChatReducer, KeepUserMessagesReducer>();
        services.AddLlmKit(kit => kit.AddProvider("openai", _ => recording).AddModel("chat", "openai", "gpt-4o-mini").UseDefaultModel("chat")
            .Configure(o => o.Conversations.ContextStrategy = ConversationContextStrategy.Summarize));
        using var sp = services.BuildServiceProvider();
        var store = sp.GetRequiredService<IConversationStore>();
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [new ConversationMessage { Message = new ChatMessage(ChatRole.User, "u1") }, new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, "a1") }] });

        var turn = await sp.GetRequiredService<IConversationService>().SendAsync("c1", "u2");

        Assert.Equal(["u1", "u2"], recording.Requests.Single().Messages.Select(m => m.Text));
        Assert.Equal(1, provider.CallCount); // the summariser did not run
        Assert.Equal(Priming + Message("user", "u1") + Message("user", "u2"), turn.PromptTokens);
    }

    [Fact]
    public async Task SendAsync_LogicalModelWithSeveralDeployments_FitsTheSmallestWindow()
    {
        var time = new FakeTimeProvider();
        var provider = new ScriptedChatClient(time).ReturnsText("ok");
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmKit(kit => kit.AddProvider("openai", _ => provider)
            .AddModel("multi", new DeploymentOptions { Provider = "openai", Model = "gpt-4.1-nano" }, new DeploymentOptions { Provider = "openai", Model = "gpt-4o-mini" })
            .Configure(o => o.Catalog["gpt-4o-mini"] = new ModelCatalogEntryOptions { ContextWindow = 500, MaxOutputTokens = 100 }));
        using var sp = services.BuildServiceProvider();
        await sp.GetRequiredService<IConversationStore>().CreateAsync(new Conversation { Id = "c1" });

        var turn = await sp.GetRequiredService<IConversationService>().SendAsync("c1", "hi", new ConversationSendOptions { ChatOptions = new ChatOptions { ModelId = "multi" } });

        Assert.Equal(400, turn.PromptBudget);
    }

    /// <summary>A host's context strategy: keeps only the user messages.</summary>
    private sealed class KeepUserMessagesReducer : IChatReducer
    {
        public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken) =>
            Task.FromResult(messages.Where(m => m.Role == ChatRole.User));
    }

    private static ChatResponse ToolLoopResponse(UsageDetails usage) => new(
    [
        new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 21 C")]),
        new ChatMessage(ChatRole.Assistant, "It is sunny and 21 C in Paris."),
    ])
    {
        FinishReason = ChatFinishReason.Stop,
        Usage = usage,
    };

    private static void AssertToolTurnStored(Conversation stored, ConversationTurn? turn)
    {
        var messages = stored.Messages;
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], messages.Select(m => m.Message.Role));
        Assert.All(messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
        Assert.All(messages, m => Assert.False(string.IsNullOrEmpty(m.Message.MessageId)));
        Assert.Equal(4, messages.Select(m => m.Message.MessageId).Distinct().Count());
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(messages[1].Message.Contents));
        Assert.Equal(("call_1", "get_weather"), (call.CallId, call.Name));
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Message.Contents));
        Assert.Equal("call_1", result.CallId);
        Assert.Equal("It is sunny and 21 C in Paris.", messages[3].Message.Text);

        // The usage and cost of the whole call (a tool loop's iterations added up) are on the final answer only.
        Assert.Null(messages[1].Usage);
        Assert.Null(messages[1].Cost);
        Assert.Null(messages[2].Usage);
        Assert.Null(messages[2].Cost);
        Assert.Equal(1000, messages[3].Usage!.InputTokenCount);
        Assert.Equal(500, messages[3].Usage!.OutputTokenCount);

        // gpt-4o-mini: 1000 x 0.15 + 500 x 0.60 per million = 0.00045 USD.
        Assert.Equal(0.00045m, messages[3].Cost!.Total);
        Assert.Equal(0.00045m, stored.CostUsd);
        Assert.Equal(1000, stored.InputTokens);
        Assert.Equal(500, stored.OutputTokens);
        if (turn is not null)
        {
            Assert.Equal(messages.Skip(1).Select(m => m.Message.MessageId), turn.ResponseMessages.Select(m => m.Message.MessageId));
        }
    }

    private static void AssertNextPromptResendsToolGroup(Conversation stored, IReadOnlyList<ChatMessage> sent, string newText)
    {
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant, ChatRole.User], sent.Select(m => m.Role));
        Assert.Equal([.. stored.Messages.Select(m => m.Message.MessageId)], sent.Take(4).Select(m => m.MessageId));
        Assert.Equal("call_1", Assert.IsType<FunctionCallContent>(Assert.Single(sent[1].Contents)).CallId);
        Assert.Equal("call_1", Assert.IsType<FunctionResultContent>(Assert.Single(sent[2].Contents)).CallId);
        Assert.Equal(newText, sent[4].Text);

        // Fitting and summaries see the call and its result as one group.
        Assert.Equal([(0, 0), (1, 2), (3, 3), (4, 4)], MessageGroups.Split([.. sent]));
    }

    private static void AssertEveryCallAnsweredAndEveryResultCalled(IReadOnlyList<ChatMessage> sent)
    {
        var calls = new HashSet<string>();
        var answered = new HashSet<string>();
        foreach (var content in sent.SelectMany(m => m.Contents))
        {
            if (content is FunctionCallContent call)
            {
                calls.Add(call.CallId);
            }
            else if (content is FunctionResultContent result)
            {
                Assert.Contains(result.CallId, calls); // a result only after its call
                answered.Add(result.CallId);
            }
        }

        Assert.Equal(calls.Order(), answered.Order());
    }

    [Fact]
    public async Task SendAsync_ToolLoopAnswer_StoresEveryMessageInOrderAndResendsCallWithResultAsOneGroup()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.ReturnsResponse(ToolLoopResponse(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 })).ReturnsText("Yes, take sunglasses.");

        var turn = await h.Service.SendAsync("c1", "What is the weather in Paris?");
        var afterFirst = (await h.Store.GetAsync("c1"))!;
        await h.Service.SendAsync("c1", "Should I take sunglasses?");

        AssertToolTurnStored(afterFirst, turn);
        Assert.Equal(2, afterFirst.Version); // one append for the whole turn
        Assert.Equal(3, turn.ResponseMessages.Count);
        Assert.Equal(0.00045m, turn.ResponseMessages[^1].Cost!.Total);
        AssertNextPromptResendsToolGroup(afterFirst, h.Recording.Requests[1].Messages, "Should I take sunglasses?");
    }

    [Fact]
    public async Task SendStreamingAsync_ToolLoopAnswer_StoresEveryMessageInOrderAndResendsCallWithResultAsOneGroup()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider.ReturnsResponse(ToolLoopResponse(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 })).ReturnsText("Yes, take sunglasses.");

        var streamed = new List<AIContent>();
        await foreach (var update in h.Service.SendStreamingAsync("c1", "What is the weather in Paris?"))
        {
            streamed.AddRange(update.Contents);
        }

        var afterFirst = (await h.Store.GetAsync("c1"))!;
        await foreach (var update in h.Service.SendStreamingAsync("c1", "Should I take sunglasses?"))
        {
        }

        Assert.Contains(streamed, c => c is FunctionCallContent { CallId: "call_1" });
        Assert.Contains(streamed, c => c is FunctionResultContent { CallId: "call_1" });
        AssertToolTurnStored(afterFirst, turn: null);
        Assert.Equal(2, afterFirst.Version);
        AssertNextPromptResendsToolGroup(afterFirst, h.Recording.Requests[1].Messages, "Should I take sunglasses?");
    }

    // Tokens by hand (o200k_base, 3 per message plus role and text): q about 5, a1/u2/a2 about 26 each; the call about 15;
    // a result of 120 words about 125, of 20 words about 25; u1 of 40 words about 45, of 150 words about 155. The trigger
    // is 200 and the target is the ratio of it; the newest groups are kept while they fit the target.
    [Theory]
    [InlineData(0.2, 120, 40, "u2", false)] // target 40: q and a2 kept
    [InlineData(0.35, 120, 40, "a1", false)] // target 70: q, a2, u2 kept
    [InlineData(0.5, 120, 40, "result", false)] // target 100: q to a1 kept; the call and its result summarised together
    [InlineData(0.8, 20, 150, "u1", true)] // target 160: the call and its result kept together, u1 summarised
    public async Task SendAsync_SummaryCutsNearAToolCall_NeverLeavesACallWithoutItsResult(double targetRatio, int resultWords, int firstWords, string expectedThrough, bool toolGroupSent)
    {
        using var h = Harness.Create(c =>
        {
            c.ContextStrategy = ConversationContextStrategy.Summarize;
            c.SummarizerModel = "cheap";
            c.SummaryTriggerTokens = 200;
            c.SummaryTargetRatio = targetRatio;
        });
        await h.SeedAsync(
            "c1",
            new ChatMessage(ChatRole.User, "u1 " + Words(firstWords, "apple")) { MessageId = "u1" },
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "lookup", new Dictionary<string, object?> { ["q"] = "apple" })]) { MessageId = "call" },
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", Words(resultWords, "pear"))]) { MessageId = "result" },
            new ChatMessage(ChatRole.Assistant, "a1 " + Words(20, "plum")) { MessageId = "a1" },
            new ChatMessage(ChatRole.User, "u2 " + Words(20, "fig")) { MessageId = "u2" },
            new ChatMessage(ChatRole.Assistant, "a2 " + Words(20, "kiwi")) { MessageId = "a2" });
        h.Provider.ReturnsText("SUMMARY").ReturnsText("answer");

        var turn = await h.Service.SendAsync("c1", "q");

        Assert.True(turn.Summarized);
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(expectedThrough, stored!.Metadata[ConversationMetadataKeys.SummaryThrough]);
        var sent = h.Recording.Requests[1].Messages;
        Assert.Equal(SummarizingChatReducer.SummaryPrefix + "SUMMARY", sent[0].Text);
        AssertEveryCallAnsweredAndEveryResultCalled(sent);
        Assert.Equal(toolGroupSent, sent.Any(m => m.MessageId == "call"));
        Assert.Equal(toolGroupSent, sent.Any(m => m.MessageId == "result"));
        Assert.Equal(!toolGroupSent, h.Recording.Requests[0].Messages[^1].Text.Contains("pear", StringComparison.Ordinal)); // the summariser saw the result
    }

    [Fact]
    public async Task SendAsync_StoredToolCallWithoutResult_LeftOutOfLaterPrompts()
    {
        using var h = Harness.Create();
        await h.SeedAsync(
            "c1",
            new ChatMessage(ChatRole.User, "Weather in Paris and Rome?") { MessageId = "u1" },
            new ChatMessage(ChatRole.Assistant, [new TextContent("Let me check."), new FunctionCallContent("call_9", "get_weather")]) { MessageId = "text-and-call" },
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather"), new FunctionCallContent("call_2", "get_weather")]) { MessageId = "two-calls" },
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]) { MessageId = "result-1" },
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_8", "get_weather")]) { MessageId = "call-only" });
        h.Provider.ReturnsText("Sorry, I could not finish.");

        await h.Service.SendAsync("c1", "Well?");

        var sent = h.Recording.Requests[0].Messages;
        Assert.Equal(["u1", "text-and-call", "two-calls", "result-1"], sent.Take(4).Select(m => m.MessageId));
        Assert.Equal("Well?", sent[4].Text);
        Assert.Equal(5, sent.Count);
        Assert.Equal("Let me check.", Assert.IsType<TextContent>(Assert.Single(sent[1].Contents)).Text);
        Assert.Equal("call_1", Assert.IsType<FunctionCallContent>(Assert.Single(sent[2].Contents)).CallId);
        AssertEveryCallAnsweredAndEveryResultCalled(sent);

        // The store keeps what happened: the calls are only left out of the prompt.
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(2, stored!.Messages[1].Message.Contents.Count);
        Assert.Equal(2, stored.Messages[2].Message.Contents.Count);
        Assert.IsType<FunctionCallContent>(Assert.Single(stored.Messages[4].Message.Contents));
    }

    [Fact]
    public async Task SendAsync_TurnEndedOnAToolCall_NextTurnDoesNotSendTheUnansweredCall()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider
            .ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }, "call_7")
            .ReturnsText("It is probably sunny.");

        var first = await h.Service.SendAsync("c1", "Weather in Paris?");
        await h.Service.SendAsync("c1", "Any idea?");

        Assert.IsType<FunctionCallContent>(Assert.Single(Assert.Single(first.ResponseMessages).Message.Contents));
        var sent = h.Recording.Requests[1].Messages;
        Assert.Equal(["Weather in Paris?", "Any idea?"], sent.Select(m => m.Text));
        Assert.DoesNotContain(sent, m => m.Contents.Any(c => c is FunctionCallContent));
        Assert.Equal(4, (await h.Store.GetAsync("c1"))!.Messages.Count);
    }

    [Fact]
    public async Task SendStreamingAsync_TurnEndedOnAToolCall_NextTurnDoesNotSendTheUnansweredCall()
    {
        using var h = Harness.Create();
        await h.SeedAsync("c1");
        h.Provider
            .ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }, "call_7")
            .ReturnsText("It is probably sunny.");

        await foreach (var update in h.Service.SendStreamingAsync("c1", "Weather in Paris?"))
        {
        }

        var text = new List<string>();
        await foreach (var update in h.Service.SendStreamingAsync("c1", "Any idea?"))
        {
            text.Add(update.Text);
        }

        var stored = (await h.Store.GetAsync("c1"))!.Messages;
        Assert.Equal("call_7", Assert.IsType<FunctionCallContent>(Assert.Single(stored[1].Message.Contents)).CallId);
        var sent = h.Recording.Requests[1].Messages;
        Assert.Equal(["Weather in Paris?", "Any idea?"], sent.Select(m => m.Text));
        Assert.DoesNotContain(sent, m => m.Contents.Any(c => c is FunctionCallContent));
        Assert.Equal("It is probably sunny.", string.Concat(text));
        Assert.Equal(4, stored.Count);
    }

    [Fact]
    public async Task SendAsync_CallerCancelsDuringFactExtraction_ReturnsTheStoredTurnWithoutFacts()
    {
        using var h = Harness.Create(c => c.Memory.ExtractFacts = true);
        await h.SeedAsync("c1");
        using var cts = new CancellationTokenSource();
        h.Provider
            .ReturnsText("Nice to meet you, Ada.", new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 })
            .Responds((_, _) =>
            {
                // The caller gives up while the extraction call is in flight.
                cts.Cancel();
                cts.Token.ThrowIfCancellationRequested();
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "[\"never stored\"]"));
            });

        var turn = await h.Service.SendAsync("c1", "I am Ada.", cancellationToken: cts.Token);

        Assert.Equal("Nice to meet you, Ada.", turn.Response.Text);
        Assert.False(turn.FactsExtracted);
        Assert.Equal(2, h.Provider.CallCount);
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(["I am Ada.", "Nice to meet you, Ada."], stored!.Messages.Select(m => m.Message.Text));
        Assert.All(stored.Messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
        Assert.False(stored.Metadata.ContainsKey(ConversationMetadataKeys.Facts));
        Assert.Equal(2, stored.Version);
        Assert.Equal(turn.Version, stored.Version);
        Assert.Equal(0.00045m, stored.CostUsd);
    }

    [Fact]
    public async Task SendAsync_CallerCancelledOnceTheModelAnswered_SkipsFactExtractionAndReturnsTheTurn()
    {
        using var h = Harness.Create(c => c.Memory.ExtractFacts = true);
        await h.SeedAsync("c1");
        using var cts = new CancellationTokenSource();
        h.Provider
            .Responds((_, _) =>
            {
                // The answer is on its way back when the caller cancels.
                cts.Cancel();
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello."));
            })
            .ReturnsText("[\"never asked\"]");

        var turn = await h.Service.SendAsync("c1", "Hi.", cancellationToken: cts.Token);

        Assert.Equal("Hello.", turn.Response.Text);
        Assert.False(turn.FactsExtracted);
        Assert.Equal(1, h.Provider.CallCount); // no extraction call is made (and paid for) after the caller cancelled
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(["Hi.", "Hello."], stored!.Messages.Select(m => m.Message.Text));
        Assert.False(stored.Metadata.ContainsKey(ConversationMetadataKeys.Facts));
    }

    [Fact]
    public async Task SendStreamingAsync_CallerCancelsDuringFactExtraction_StreamEndsNormallyAndTurnIsStored()
    {
        using var h = Harness.Create(c => c.Memory.ExtractFacts = true);
        await h.SeedAsync("c1");
        using var cts = new CancellationTokenSource();
        h.Provider
            .StreamsChunks(["Nice ", "to ", "meet ", "you."])
            .Responds((_, _) =>
            {
                cts.Cancel();
                cts.Token.ThrowIfCancellationRequested();
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "[\"never stored\"]"));
            });

        var text = new List<string>();
        await foreach (var update in h.Service.SendStreamingAsync("c1", "I am Ada.", cancellationToken: cts.Token))
        {
            text.Add(update.Text);
        }

        Assert.Equal("Nice to meet you.", string.Concat(text));
        Assert.Equal(2, h.Provider.CallCount);
        var stored = await h.Store.GetAsync("c1");
        Assert.Equal(["I am Ada.", "Nice to meet you."], stored!.Messages.Select(m => m.Message.Text));
        Assert.All(stored.Messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
        Assert.False(stored.Metadata.ContainsKey(ConversationMetadataKeys.Facts));
    }
}
