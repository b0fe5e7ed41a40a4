using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The default <see cref="IConversationService"/>: runs conversation turns through LlmKit's pipeline with exact
/// context-window fitting, summaries, fact memory and keyword recall as <see cref="ConversationOptions"/> say.
/// </summary>
/// <remarks>
/// <para>A turn: load the conversation; build the prompt (system prompt, remembered facts, running summary, the stored
/// messages after the summary, the new user message); apply the context strategy (or the host's
/// <see cref="IChatReducer"/> when one is given); fit the window with <see cref="DropOldestGroupsChatReducer"/> against
/// the model's context window less the output reserved (the call's <c>MaxOutputTokens</c>, else the model's maximum
/// output from <see cref="IModelRegistry"/>); recall left-out messages by keyword; call the pipeline with a
/// <see cref="LlmRequestContext"/> naming the conversation; then append the user message and the answer (with usage and
/// cost) in one append against the version read. A logical model is fitted to the smallest known context window among
/// its deployments, so the prompt fits whichever of them serves the call.</para>
/// <para>Token counts come from the pipeline's <see cref="ITokenCounter"/> (<c>GetService&lt;ITokenCounter&gt;()</c>), or the
/// tiktoken encoding of the model. For models with neither (Anthropic, Gemini) the history is fitted with the
/// <c>o200k_base</c> count as an estimate, then the result is counted with the provider's <see cref="IExactTokenCounter"/>
/// (one call to its count endpoint, more only when the estimate was too low) and fitted again while over the budget.
/// Without an exact counter either, <see cref="ConversationTurn.TokenCountIsExact"/> is <see langword="false"/>.</para>
/// <para>Failures: when anything fails after the conversation is loaded (the model call, the summariser, a concurrency
/// conflict, cancellation) the user message is appended with <see cref="ConversationMessageStatus.Failed"/>, no
/// assistant message is written, and the original exception propagates. Once the model has answered, the turn is
/// stored even if the caller cancels. Fact extraction runs after the turn is stored; when it fails the failure is
/// logged and the turn stands, and when the caller cancels during it the extraction is left undone and the stored turn is
/// still returned (<see cref="ConversationTurn.FactsExtracted"/> is <see langword="false"/> either way).</para>
/// <para>Tool calls: every message of the answer (an assistant tool call, the tool's result, the final answer, as a tool
/// loop in the pipeline returns them) is stored in order, each with its own id; the usage and cost of the whole call (the
/// tool loop's iterations added up, as the pipeline reports them) are on the last message. A call and its result are one
/// group for context fitting and summaries. A stored tool call that has no stored result (the process stopped, or the
/// loop ended, between the call and its result) is left out of later prompts, since providers reject an unanswered
/// call; the message carrying it is left out too when nothing else is in it.</para>
/// <para>Totals: the usage and cost of the auxiliary calls (a new summary, fact extraction) are added to the conversation's
/// totals, and to its auxiliary totals (<see cref="Conversation.AuxiliaryInputTokens"/> and the others), in the same store
/// write as the summary or facts (see <see cref="ConversationUpdate.AuxiliaryUsage"/>); the cost is priced like the
/// answer's. A summary or extraction call that fails, or whose result cannot be stored, is in the usage ledger but not in
/// the conversation's totals.</para>
/// <para>Retries: a user message whose <see cref="ChatMessage.MessageId"/> is already stored and answered is not sent
/// again: the stored turn is returned (streamed back for a streaming call). One stored as failed is sent again under a
/// new id, the failed attempt staying in the history.</para>
/// </remarks>
public sealed partial class ConversationService : IConversationService
{
    private const int FactUpdateAttempts = 3;
    private const int MaxExactRounds = 4;

    private readonly IConversationStore _store;
    private readonly IChatClient _chat;
    private readonly IModelRegistry _registry;
    private readonly ICostCalculator _costCalculator;
    private readonly IOptions<LlmKitOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IChatReducer? _reducer;
    private readonly TokenCounterRegistry? _tokenizers;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">Where conversations are kept.</param>
    /// <param name="chatClient">The pipeline that answers (normally the <see cref="IChatClient"/> that <c>AddLlmKit()</c> registers).</param>
    /// <param name="registry">Gives each model's context window and maximum output.</param>
    /// <param name="costCalculator">Prices each answer.</param>
    /// <param name="options">LlmKit's options; <see cref="LlmKitOptions.Conversations"/> applies.</param>
    /// <param name="timeProvider">The clock for message times; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where memory failures are logged; <see langword="null"/> logs nothing.</param>
    /// <param name="reducer">A context strategy of the host's that replaces <see cref="ConversationOptions.ContextStrategy"/>, or <see langword="null"/>; the window is fitted exactly after it either way.</param>
    /// <param name="tokenizers">The counters the host registered per model (<c>kit.AddTokenizer</c>), tried first for a call's model; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public ConversationService(
        IConversationStore store,
        IChatClient chatClient,
        IModelRegistry registry,
        ICostCalculator costCalculator,
        IOptions<LlmKitOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<ConversationService>? logger = null,
        IChatReducer? reducer = null,
        TokenCounterRegistry? tokenizers = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(costCalculator);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _chat = chatClient;
        _registry = registry;
        _costCalculator = costCalculator;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _reducer = reducer;
        _tokenizers = tokenizers;
    }

    /// <inheritdoc/>
    public async Task<ConversationTurn> SendAsync(string conversationId, ChatMessage userMessage, ConversationSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        var turn = await PrepareAsync(conversationId, userMessage, options, cancellationToken).ConfigureAwait(false);
        if (turn.Replay is { } stored)
        {
            return stored;
        }

        ChatResponse response;
        try
        {
            response = await _chat.GetResponseAsync(turn.Prompt, turn.ChatOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await KeepFailedAsync(turn, ex).ConfigureAwait(false);
            throw;
        }

        return await CompleteAsync(turn, response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> SendStreamingAsync(string conversationId, ChatMessage userMessage, ConversationSendOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = await PrepareAsync(conversationId, userMessage, options, cancellationToken).ConfigureAwait(false);
        if (turn.Replay is { } stored)
        {
            foreach (var replayed in stored.Response.ToChatResponseUpdates())
            {
                yield return replayed;
            }

            yield break;
        }

        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = _chat.GetStreamingResponseAsync(turn.Prompt, turn.ChatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            await KeepFailedAsync(turn, ex).ConfigureAwait(false);
            throw;
        }

        var updates = new List<ChatResponseUpdate>();
        bool completed = false, failed = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        completed = true;
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    failed = true;
                    await KeepFailedAsync(turn, ex).ConfigureAwait(false);
                    throw;
                }

                updates.Add(update);
                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (!completed && !failed)
            {
                // The caller stopped reading part-way: no partial answer is stored.
                await KeepFailedAsync(turn, null).ConfigureAwait(false);
            }
        }

        _ = await CompleteAsync(turn, updates.ToChatResponse(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<Turn> PrepareAsync(string conversationId, ChatMessage userMessage, ConversationSendOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        ArgumentNullException.ThrowIfNull(userMessage);
        if (userMessage.Role != ChatRole.User)
        {
            throw new ArgumentException($"The message sent in a conversation must have role 'user', not '{userMessage.Role}'. Put instructions in the system prompt instead.", nameof(userMessage));
        }

        var settings = _options.Value.Conversations;
        var chatOptions = options?.ChatOptions?.Clone() ?? new ChatOptions();
        var callerContext = options?.Context ?? chatOptions.GetLlmContext();
        var conversation = await LoadAsync(conversationId, options, callerContext, cancellationToken).ConfigureAwait(false);
        var context = callerContext with
        {
            ConversationId = conversationId,
            TenantId = callerContext.TenantId ?? conversation.TenantId,
            UserId = callerContext.UserId ?? conversation.UserId,
        };
        chatOptions.WithLlmContext(context);

        var user = userMessage.Clone();
        user.MessageId = string.IsNullOrEmpty(user.MessageId) ? Guid.NewGuid().ToString("N") : user.MessageId;
        user.CreatedAt ??= _timeProvider.GetUtcNow();
        var turn = new Turn(conversationId, user, chatOptions, conversation.Version);
        int existing = IndexOf(conversation.Messages, user.MessageId);
        if (existing >= 0 && conversation.Messages[existing].Status == ConversationMessageStatus.Completed)
        {
            // A retry of a turn that was stored (its response was lost on the way back): hand back the stored turn.
            turn.Replay = Replay(conversation, existing);
            return turn;
        }

        if (existing >= 0)
        {
            // A retry of a failed message: the failed attempt stays in the history, the new attempt gets its own id.
            user.MessageId = Guid.NewGuid().ToString("N");
        }

        try
        {
            await BuildPromptAsync(turn, conversation, settings, options, context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await KeepFailedAsync(turn, ex).ConfigureAwait(false);
            throw;
        }

        return turn;
    }

    private static int IndexOf(IReadOnlyList<ConversationMessage> messages, string messageId)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            if (string.Equals(messages[i].Message.MessageId, messageId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static ConversationTurn Replay(Conversation conversation, int userIndex)
    {
        var answer = new List<ConversationMessage>();
        for (int i = userIndex + 1; i < conversation.Messages.Count; i++)
        {
            var message = conversation.Messages[i];
            if (message.Message.Role == ChatRole.User || message.Status != ConversationMessageStatus.Completed)
            {
                break;
            }

            answer.Add(message);
        }

        var last = answer.Count > 0 ? answer[^1] : null;
        return new ConversationTurn
        {
            ConversationId = conversation.Id,
            Version = conversation.Version,
            UserMessage = conversation.Messages[userIndex],
            ResponseMessages = answer,
            Response = new ChatResponse(answer.ConvertAll(static m => m.Message)) { Usage = last?.Usage, ModelId = last?.Model },
        };
    }

    private async Task<Conversation> LoadAsync(string id, ConversationSendOptions? options, LlmRequestContext context, CancellationToken cancellationToken)
    {
        var conversation = await _store.GetAsync(id, includeMessages: true, cancellationToken).ConfigureAwait(false);
        if (conversation is not null)
        {
            return conversation;
        }

        if (options?.CreateIfMissing != true)
        {
            throw ConversationNotFoundException.ForId(id);
        }

        try
        {
            return await _store.CreateAsync(new Conversation { Id = id, Title = options.Title, TenantId = context.TenantId, UserId = context.UserId }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Created by a concurrent turn in the meantime: use that one.
            return await _store.GetAsync(id, includeMessages: true, cancellationToken).ConfigureAwait(false)
                ?? throw ConversationNotFoundException.ForId(id);
        }
    }

    private async Task BuildPromptAsync(Turn turn, Conversation conversation, ConversationOptions settings, ConversationSendOptions? options, LlmRequestContext context, CancellationToken cancellationToken)
    {
        var chatOptions = turn.ChatOptions;
        var (model, countingModel, descriptor) = ResolveModel(chatOptions);
        int window = descriptor?.ContextWindow ?? settings.DefaultContextWindow
            ?? throw new LlmKitConfigurationException(
                $"The context window of model '{model}' is not known, so the conversation cannot be fitted to it. Add the model to 'LlmKit:Catalog:{countingModel}' with its ContextWindow, or set 'LlmKit:Conversations:DefaultContextWindow'.",
                [$"LlmKit:Catalog:{countingModel}:ContextWindow", "LlmKit:Conversations:DefaultContextWindow"]);
        int reserve = chatOptions.MaxOutputTokens ?? descriptor?.MaxOutputTokens ?? settings.DefaultReservedOutputTokens ?? 0;
        int budget = window - reserve;
        if (budget <= 0)
        {
            throw new ContextWindowExceededException(model, reserve, window);
        }

        var (counter, exact) = ResolveCounter(chatOptions, countingModel);
        turn.PromptBudget = budget;
        turn.TokenCountIsExact = exact;

        // The head: system prompt, remembered facts, running summary.
        var prompt = new List<ChatMessage>();
        string? systemPrompt = options?.SystemPrompt ?? settings.SystemPrompt;
        if (!string.IsNullOrWhiteSpace(systemPrompt))
        {
            prompt.Add(new ChatMessage(ChatRole.System, systemPrompt));
        }

        turn.Facts = ConversationFacts.Read(conversation.Metadata);
        if (ConversationFacts.Note(turn.Facts) is { } factsNote)
        {
            prompt.Add(factsNote);
        }

        ChatMessage? storedSummary = null;
        string? through = null;
        if (conversation.Metadata.TryGetValue(ConversationMetadataKeys.Summary, out string? summaryText) && !string.IsNullOrWhiteSpace(summaryText))
        {
            conversation.Metadata.TryGetValue(ConversationMetadataKeys.SummaryThrough, out through);
            storedSummary = SummarizingChatReducer.CreateSummaryMessage(summaryText, through);
            prompt.Add(storedSummary);
        }

        // The history: completed messages after those the summary covers (all of them when the covered one is not found),
        // less tool calls that were never answered (providers reject a call without its result).
        var history = new List<ChatMessage>(conversation.Messages.Count);
        var answeredCalls = AnsweredCallIds(conversation.Messages);
        int firstAfterSummary = 0;
        foreach (var stored in conversation.Messages)
        {
            if (stored.Status != ConversationMessageStatus.Completed)
            {
                continue;
            }

            if (WithoutUnansweredCalls(stored.Message, answeredCalls) is { } message)
            {
                history.Add(message);
            }

            if (through is not null && string.Equals(stored.Message.MessageId, through, StringComparison.Ordinal))
            {
                firstAfterSummary = history.Count;
            }
        }

        for (int i = firstAfterSummary; i < history.Count; i++)
        {
            prompt.Add(history[i]);
        }

        prompt.Add(turn.User);

        // The context strategy: the host's reducer, or the configured one.
        IEnumerable<ChatMessage> reduced = prompt;
        if (_reducer is not null)
        {
            reduced = await _reducer.ReduceAsync(prompt, cancellationToken).ConfigureAwait(false);
        }
        else if (settings.ContextStrategy == ConversationContextStrategy.Summarize)
        {
            int trigger = Math.Max(2, settings.SummaryTriggerTokens ?? (int)(budget * settings.SummaryTriggerRatio));
            var summarizer = new SummarizingChatReducer(_chat, counter, new SummarizingChatReducerOptions
            {
                TriggerTokens = trigger,
                TargetTokens = Math.Clamp((int)(trigger * settings.SummaryTargetRatio), 1, trigger - 1),
                Model = settings.SummarizerModel ?? model,
                MaxSummaryTokens = settings.SummaryMaxTokens,
                CountingOptions = chatOptions,
                SummaryChatOptions = AuxiliaryOptions(context),
            });
            string summaryModel = settings.SummarizerModel ?? model;
            (reduced, var summaryResponse) = await summarizer.ReduceWithResponseAsync(prompt, cancellationToken).ConfigureAwait(false);
            if (summaryResponse is not null && SummarizingChatReducer.FindSummary(reduced) is { } summary && !ReferenceEquals(summary, storedSummary))
            {
                // The summary and the usage and cost of writing it are stored in one write, so the conversation's totals
                // count every call made for it.
                turn.ExpectedVersion = await _store.UpdateAsync(
                    turn.ConversationId,
                    new ConversationUpdate
                    {
                        Metadata = new Dictionary<string, string?>
                        {
                            [ConversationMetadataKeys.Summary] = summary.AdditionalProperties![ConversationMetadataKeys.Summary] as string,
                            [ConversationMetadataKeys.SummaryThrough] = summary.AdditionalProperties.TryGetValue(ConversationMetadataKeys.SummaryThrough, out object? last) ? last as string : null,
                        },
                        AuxiliaryUsage = summaryResponse.Usage,
                        AuxiliaryCost = CostOf(summaryResponse, summaryModel),
                    },
                    turn.ExpectedVersion,
                    cancellationToken).ConfigureAwait(false);
                turn.Summarized = true;
            }
        }

        // Exact fitting, always: the window holds whatever the strategy did.
        IReadOnlyList<ChatMessage> fitInput = reduced as IReadOnlyList<ChatMessage> ?? [.. reduced];
        var fitted = DropOldestGroupsChatReducer.Fit(counter, fitInput, budget, chatOptions, out int promptTokens);

        if (settings.Memory.RecallMessages > 0)
        {
            (fitInput, fitted, promptTokens, turn.RecalledMessages) = Recall(counter, fitInput, fitted, promptTokens, history, turn.User.Text, settings.Memory.RecallMessages, budget, chatOptions);
        }

        if (!exact && _chat.GetService<IExactTokenCounter>() is { } exactCounter)
        {
            (fitted, promptTokens) = await VerifyExactAsync(exactCounter, counter, fitInput, fitted, budget, chatOptions, model, window, reserve, cancellationToken).ConfigureAwait(false);
            turn.TokenCountIsExact = true;
        }

        var sent = new HashSet<ChatMessage>(fitted, ReferenceEqualityComparer.Instance);
        int omitted = 0;
        foreach (var message in history)
        {
            if (!sent.Contains(message))
            {
                omitted++;
            }
        }

        turn.Prompt = fitted;
        turn.PromptTokens = promptTokens;
        turn.OmittedMessages = omitted;
        turn.Model = model;
    }

    /// <summary>The call ids of the tool results among the completed messages, or <see langword="null"/> when there are none.</summary>
    private static HashSet<string>? AnsweredCallIds(IReadOnlyList<ConversationMessage> messages)
    {
        HashSet<string>? answered = null;
        foreach (var stored in messages)
        {
            if (stored.Status != ConversationMessageStatus.Completed)
            {
                continue;
            }

            var contents = stored.Message.Contents;
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is FunctionResultContent { CallId: { } callId })
                {
                    (answered ??= new HashSet<string>(StringComparer.Ordinal)).Add(callId);
                }
            }
        }

        return answered;
    }

    /// <summary>
    /// The message as it may be sent: itself when every tool call in it has a stored result; otherwise a copy without the
    /// unanswered calls (the process stopped, or the tool loop ended, between a call and its result), or
    /// <see langword="null"/> when nothing else is left in it.
    /// </summary>
    private static ChatMessage? WithoutUnansweredCalls(ChatMessage message, HashSet<string>? answered)
    {
        var contents = message.Contents;
        List<AIContent>? kept = null;
        for (int i = 0; i < contents.Count; i++)
        {
            bool unanswered = contents[i] is FunctionCallContent call && (answered is null || !answered.Contains(call.CallId));
            if (unanswered && kept is null)
            {
                kept = new List<AIContent>(contents.Count);
                for (int j = 0; j < i; j++)
                {
                    kept.Add(contents[j]);
                }
            }
            else if (!unanswered)
            {
                kept?.Add(contents[i]);
            }
        }

        if (kept is null)
        {
            return message;
        }

        bool onlyUsage = true;
        for (int i = 0; i < kept.Count && onlyUsage; i++)
        {
            onlyUsage = kept[i] is UsageContent;
        }

        if (onlyUsage)
        {
            return null;
        }

        var copy = message.Clone();
        copy.Contents = kept;
        return copy;
    }

    /// <summary>
    /// Recalls left-out messages that share keywords with the user's message: the best <paramref name="max"/> go into a
    /// system note pinned after the leading system messages, and the history is fitted again around it (so relevant
    /// older messages displace the oldest kept ones). Fewer are recalled when the note would not fit.
    /// </summary>
    private static (IReadOnlyList<ChatMessage> Input, List<ChatMessage> Prompt, int Tokens, int Recalled) Recall(
        ITokenCounter counter, IReadOnlyList<ChatMessage> reduced, List<ChatMessage> fitted, int tokens, List<ChatMessage> history, string query, int max, int budget, ChatOptions chatOptions)
    {
        var sent = new HashSet<ChatMessage>(fitted, ReferenceEqualityComparer.Instance);
        var leftOut = new List<ChatMessage>();
        foreach (var message in history)
        {
            if (!sent.Contains(message))
            {
                leftOut.Add(message);
            }
        }

        var candidates = KeywordRecall.Rank(leftOut, query);
        int insertAt = 0;
        while (insertAt < reduced.Count && reduced[insertAt].Role == ChatRole.System)
        {
            insertAt++;
        }

        for (int take = Math.Min(max, candidates.Count); take > 0; take--)
        {
            var withNote = new List<ChatMessage>(reduced);
            withNote.Insert(insertAt, KeywordRecall.Note(candidates.GetRange(0, take), history));
            if (PinnedTokens(counter, withNote, chatOptions) > budget)
            {
                continue;
            }

            var refitted = DropOldestGroupsChatReducer.Fit(counter, withNote, budget, chatOptions, out int refittedTokens);
            return (withNote, refitted, refittedTokens, take);
        }

        return (reduced, fitted, tokens, 0);
    }

    /// <summary>
    /// For a model whose tokenizer LlmKit does not have (its counts are an <c>o200k_base</c> estimate), counts the fitted
    /// prompt with the provider's own counter and, while it is over the budget, fits again against a budget lowered by the
    /// overshoot.
    /// </summary>
    private static async Task<(List<ChatMessage> Prompt, int Tokens)> VerifyExactAsync(
        IExactTokenCounter exactCounter, ITokenCounter estimate, IReadOnlyList<ChatMessage> input, List<ChatMessage> fitted, int budget, ChatOptions chatOptions, string model, int window, int reserve, CancellationToken cancellationToken)
    {
        int estimateBudget = budget;
        for (int round = 1; ; round++)
        {
            int exactTokens = await exactCounter.CountTokensAsync(fitted, chatOptions, cancellationToken).ConfigureAwait(false);
            if (exactTokens <= budget)
            {
                return (fitted, exactTokens);
            }

            if (round == MaxExactRounds)
            {
                throw new ContextWindowExceededException(model, exactTokens + reserve, window);
            }

            estimateBudget -= exactTokens - budget;
            if (estimateBudget <= 0)
            {
                throw new ContextWindowExceededException(model, exactTokens + reserve, window);
            }

            // Throws ContextWindowExceededException when the system messages and the new message alone no longer fit.
            fitted = DropOldestGroupsChatReducer.Fit(estimate, input, estimateBudget, chatOptions, out _);
        }
    }

    /// <summary>The tokens of what fitting never drops: the system messages and the newest group.</summary>
    private static int PinnedTokens(ITokenCounter counter, List<ChatMessage> messages, ChatOptions chatOptions)
    {
        var groups = MessageGroups.Split(messages);
        int newestStart = groups.Count > 0 ? groups[^1].Start : messages.Count;
        var pinned = new List<ChatMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.System || i >= newestStart)
            {
                pinned.Add(messages[i]);
            }
        }

        return counter.CountTokens(pinned, chatOptions);
    }

    private (string Model, string CountingModel, ModelDescriptor? Descriptor) ResolveModel(ChatOptions chatOptions)
    {
        string model = chatOptions.ModelId ?? _chat.GetService<ChatClientMetadata>()?.DefaultModelId
            ?? throw new LlmKitConfigurationException(
                "The conversation turn names no model and the chat client has no default. Set ChatOptions.ModelId in the send options, or 'LlmKit:DefaultModel'.",
                ["LlmKit:DefaultModel"]);

        // A logical model (such as "smart") is fitted to the smallest known window among its deployments, so the
        // prompt fits whichever deployment serves it, and counted with that deployment's model.
        if (_options.Value.Models.TryGetValue(model, out var logical) && logical is not null)
        {
            ModelDescriptor? smallest = null;
            string? smallestModel = null;
            foreach (var deployment in logical.Deployments)
            {
                if (!string.IsNullOrWhiteSpace(deployment.Model)
                    && _registry.TryGet(deployment.Model, out var candidate)
                    && candidate.ContextWindow is { } window
                    && (smallest is null || window < smallest.ContextWindow))
                {
                    smallest = candidate;
                    smallestModel = deployment.Model;
                }
            }

            if (smallest is not null)
            {
                return (model, smallestModel!, smallest);
            }

            string? first = logical.Deployments.Count > 0 ? logical.Deployments[0].Model : null;
            if (!string.IsNullOrWhiteSpace(first))
            {
                return (model, first, _registry.TryGet(first, out var firstDescriptor) ? firstDescriptor : null);
            }
        }

        return (model, model, _registry.TryGet(model, out var descriptor) ? descriptor : null);
    }

    private (ITokenCounter Counter, bool Exact) ResolveCounter(ChatOptions chatOptions, string countingModel)
    {
        // The pipeline's counter follows its default model; a call for another model counts with that model's encoding.
        ITokenCounter? counter = null;
        if (_tokenizers is not null && _tokenizers.TryGet(countingModel, out var registered))
        {
            return (registered, registered.IsExact);
        }

        string? defaultModel = _chat.GetService<ChatClientMetadata>()?.DefaultModelId;
        if (chatOptions.ModelId is null || string.Equals(chatOptions.ModelId, defaultModel, StringComparison.OrdinalIgnoreCase))
        {
            counter = _chat.GetService<ITokenCounter>();
        }

        counter ??= TiktokenTokenizer.ForModel(countingModel) ?? _chat.GetService<ITokenCounter>();
        return counter is null ? (TiktokenTokenizer.O200kBase, false) : (counter, counter.IsExact);
    }

    private static ChatOptions AuxiliaryOptions(LlmRequestContext context) =>

        // A summary or extraction call is its own request: it must not reuse the turn's request id in the usage ledger.
        new ChatOptions().WithLlmContext(context with { RequestId = null });

    private async Task<ConversationTurn> CompleteAsync(Turn turn, ChatResponse response, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var usage = response.Usage;
        LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route);
        string model = response.ModelId ?? route?.ProviderModel ?? turn.Model!;
        var cost = CostOf(response, turn.Model!);

        var answer = new List<ConversationMessage>(response.Messages.Count);
        for (int i = 0; i < response.Messages.Count; i++)
        {
            var message = response.Messages[i].Clone();
            message.MessageId = string.IsNullOrEmpty(message.MessageId) ? Guid.NewGuid().ToString("N") : message.MessageId;
            message.CreatedAt ??= now;
            bool last = i == response.Messages.Count - 1;
            answer.Add(new ConversationMessage
            {
                Message = message,
                Model = model,
                Usage = last ? usage : null,
                Cost = last ? cost : null,
            });
        }

        var user = new ConversationMessage { Message = turn.User };
        var batch = new List<ConversationMessage>(answer.Count + 1) { user };
        batch.AddRange(answer);
        long version;
        try
        {
            // The model has answered (and been paid for): store the turn even if the caller cancels now.
            version = await _store.AppendAsync(turn.ConversationId, batch, turn.ExpectedVersion, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await KeepFailedAsync(turn, ex).ConfigureAwait(false);
            throw;
        }

        var settings = _options.Value.Conversations;
        bool factsExtracted = false;
        if (settings.Memory.ExtractFacts)
        {
            (version, factsExtracted) = await ExtractFactsAsync(turn, answer, version, settings, cancellationToken).ConfigureAwait(false);
        }

        return new ConversationTurn
        {
            ConversationId = turn.ConversationId,
            Version = version,
            UserMessage = user,
            ResponseMessages = answer,
            Response = response,
            PromptTokens = turn.PromptTokens,
            PromptBudget = turn.PromptBudget,
            TokenCountIsExact = turn.TokenCountIsExact,
            OmittedMessages = turn.OmittedMessages,
            RecalledMessages = turn.RecalledMessages,
            Summarized = turn.Summarized,
            FactsExtracted = factsExtracted,
        };
    }

    /// <summary>The cost of a call from its response: priced by the model that served it (see <see cref="Price"/>), unknown without usage.</summary>
    private CallCost CostOf(ChatResponse response, string requested)
    {
        if (response.Usage is not { } usage)
        {
            return CallCost.Unknown("the provider reported no usage");
        }

        LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route);
        return Price(usage, response.ModelId, route, requested);
    }

    private CallCost Price(UsageDetails usage, string? responseModel, ModelRoute? route, string requested)
    {
        CallCost? first = null;
        foreach (string? model in (ReadOnlySpan<string?>)[route?.ProviderModel, responseModel, route?.LogicalModel ?? requested])
        {
            if (model is null)
            {
                continue;
            }

            var cost = _costCalculator.Calculate(model, usage);
            if (cost.IsKnown)
            {
                return cost;
            }

            first ??= cost;
        }

        return first ?? CallCost.Unknown("no model was reported for the call");
    }

    /// <summary>
    /// Extracts key facts from the stored turn and merges them into the conversation's metadata. Never fails the turn:
    /// a failure is logged, and a cancellation by the caller skips the rest (the turn is stored, so the caller gets it);
    /// either way the result says the facts were not extracted.
    /// </summary>
    private async Task<(long Version, bool Done)> ExtractFactsAsync(Turn turn, List<ConversationMessage> answer, long version, ConversationOptions settings, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            LogFactExtractionCancelled(_logger, turn.ConversationId);
            return (version, false);
        }

        try
        {
            var options = AuxiliaryOptions(turn.ChatOptions.GetLlmContext());
            string extractionModel = settings.Memory.ExtractionModel ?? settings.SummarizerModel ?? turn.Model!;
            options.ModelId = extractionModel;
            var prompt = ConversationFacts.ExtractionPrompt(turn.Facts, turn.User, answer.ConvertAll(static a => a.Message));
            var response = await _chat.GetResponseAsync(prompt, options, cancellationToken).ConfigureAwait(false);
            var found = ConversationFacts.Parse(response.Text);
            if (found is null)
            {
                LogFactsUnreadable(_logger, turn.ConversationId);
            }

            // The extraction's usage and cost go into the conversation's totals in the same write as the facts (alone
            // when it found nothing new): the call was made and paid for either way.
            var usage = response.Usage;
            var cost = CostOf(response, extractionModel);

            // Merge against the stored facts; a concurrent change of the conversation is reloaded and merged again.
            for (int attempt = 1; ; attempt++)
            {
                var current = await _store.GetAsync(turn.ConversationId, includeMessages: false, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    return (version, false);
                }

                Dictionary<string, string?>? facts = null;
                if (found is { Count: > 0 })
                {
                    var merged = ConversationFacts.Merge(ConversationFacts.Read(current.Metadata), found, settings.Memory.MaxFacts);
                    facts = new Dictionary<string, string?> { [ConversationMetadataKeys.Facts] = ConversationFacts.Write(merged) };
                }

                try
                {
                    long updated = await _store.UpdateAsync(
                        turn.ConversationId,
                        new ConversationUpdate { Metadata = facts, AuxiliaryUsage = usage, AuxiliaryCost = cost },
                        current.Version,
                        cancellationToken).ConfigureAwait(false);
                    return (updated, found is not null);
                }
                catch (ConcurrencyConflictException) when (attempt < FactUpdateAttempts)
                {
                    // Another writer moved the version on between the read and the update: read again.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The turn is stored and its answer is the caller's: the extraction is left undone, not the turn.
            LogFactExtractionCancelled(_logger, turn.ConversationId);
            return (version, false);
        }
#pragma warning disable CA1031 // The turn is stored; memory is an extra that must not fail it. The failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFactExtractionFailed(_logger, turn.ConversationId, ex);
            return (version, false);
        }
    }

    private async Task KeepFailedAsync(Turn turn, Exception? cause)
    {
        try
        {
            // Appended whatever the version, and idempotent by message id: the user's text is never lost.
            await _store.AppendAsync(
                turn.ConversationId,
                [new ConversationMessage { Message = turn.User, Status = ConversationMessageStatus.Failed }],
                expectedVersion: null,
                CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The original failure propagates; this secondary one is logged with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogKeepFailedFailed(_logger, turn.ConversationId, cause?.GetType().Name ?? "abandoned stream", ex);
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Error, Message = "Conversation {ConversationId}: the user message could not be kept as failed after the turn failed ({Cause})")]
    private static partial void LogKeepFailedFailed(ILogger logger, string conversationId, string cause, Exception exception);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Conversation {ConversationId}: key-fact extraction failed; the turn is stored without new facts")]
    private static partial void LogFactExtractionFailed(ILogger logger, string conversationId, Exception exception);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Conversation {ConversationId}: the caller cancelled during key-fact extraction; the turn is stored without new facts")]
    private static partial void LogFactExtractionCancelled(ILogger logger, string conversationId);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Conversation {ConversationId}: the fact extraction model's reply was neither a JSON list nor a bulleted list; no facts were kept")]
    private static partial void LogFactsUnreadable(ILogger logger, string conversationId);

    /// <summary>The state of one turn between preparing the prompt and storing the answer.</summary>
    private sealed class Turn(string conversationId, ChatMessage user, ChatOptions chatOptions, long version)
    {
        public string ConversationId { get; } = conversationId;

        public ChatMessage User { get; } = user;

        public ChatOptions ChatOptions { get; } = chatOptions;

        public long ExpectedVersion { get; set; } = version;

        public List<ChatMessage> Prompt { get; set; } = [];

        public List<string> Facts { get; set; } = [];

        public string? Model { get; set; }

        public int PromptTokens { get; set; }

        public int PromptBudget { get; set; }

        public bool TokenCountIsExact { get; set; }

        public int OmittedMessages { get; set; }

        public int RecalledMessages { get; set; }

        public bool Summarized { get; set; }

        public ConversationTurn? Replay { get; set; }
    }
}
