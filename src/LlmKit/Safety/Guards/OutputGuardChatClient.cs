using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The output guard stage (<see cref="PipelineStageNames.OutputGuard"/>): evaluates the response text against the
/// output policy of the call's tenant (recognizers, word lists, classifiers, length and repetition limits), then
/// restores the values the input guard anonymised, in text and in tool-call arguments. Streams are restored as they
/// flow: only a possible unfinished surrogate at the end of a chunk is held back. With an acting output policy a
/// stream is evaluated line by line (a line is released when it ends). Anonymise in an output policy redacts.
/// </summary>
public sealed class OutputGuardChatClient : DelegatingChatClient
{
    /// <summary>The longest text a streamed line may reach before it is evaluated and released without its line end: 2,048 characters.</summary>
    public const int MaxHeldLine = 2048;

    private readonly SafetyGuard _guard;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The next stage.</param>
    /// <param name="guard">The guard with the policies.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public OutputGuardChatClient(IChatClient innerClient, SafetyGuard guard)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(guard);
        _guard = guard;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var context = options.GetLlmContext();
        var policy = _guard.GetPolicy(GuardDirection.Output, context.TenantId);
        var map = SurrogatesOf(options);
        if (policy.IsPassive && map is null)
        {
            return response;
        }

        var decisions = new List<GuardDecision>();
        var strictest = GuardAction.Allow;
        var tracker = policy.MaxRepetitions is null ? null : new RepetitionTracker();
        long characters = 0;
        foreach (var message in response.Messages)
        {
            for (int c = 0; c < message.Contents.Count; c++)
            {
                switch (message.Contents[c])
                {
                    case TextContent { Text: { Length: > 0 } text } tc:
                        string result = text;
                        characters += text.Length;
                        tracker?.Feed(text);
                        if (!policy.IsPassive)
                        {
                            var evaluation = await _guard.EvaluateAsync(text, GuardDirection.Output, policy, null, untrusted: false, injectionSignals: true, cancellationToken).ConfigureAwait(false);
                            decisions.AddRange(evaluation.Decisions);
                            strictest = evaluation.Action > strictest ? evaluation.Action : strictest;
                            result = evaluation.Text;
                        }

                        result = map?.Restore(result) ?? result;
                        if (!ReferenceEquals(result, text))
                        {
                            message.Contents[c] = new TextContent(result) { AdditionalProperties = tc.AdditionalProperties, Annotations = tc.Annotations, RawRepresentation = tc.RawRepresentation };
                        }

                        break;
                    case FunctionCallContent call when map is not null:
                        RestoreArguments(call, map);
                        break;
                }
            }
        }

        tracker?.Complete();
        strictest = AddLimitDecisions(policy, characters, tracker, decisions, strictest);
        await _guard.AuditAsync(decisions, strictest, GuardDirection.Output, context, cancellationToken).ConfigureAwait(false);
        ThrowIfBlocked(decisions, strictest);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var context = options.GetLlmContext();
        var policy = _guard.GetPolicy(GuardDirection.Output, context.TenantId);
        var map = SurrogatesOf(options);
        if (policy.IsPassive && map is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var restorer = map is null ? null : new SurrogateStreamRestorer(map);
        var decisions = new List<GuardDecision>();
        var strictest = GuardAction.Allow;
        var tracker = policy.MaxRepetitions is null ? null : new RepetitionTracker();
        var line = policy.IsPassive ? null : new StringBuilder();
        long characters = 0;
        bool limitsRecorded = false;
        ChatResponseUpdate? last = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            last = update;
            bool hadText = false;
            bool keep = false;
            for (int c = update.Contents.Count - 1; c >= 0; c--)
            {
                switch (update.Contents[c])
                {
                    case TextContent tc:
                        hadText = true;
                        string text = tc.Text ?? string.Empty;
                        characters += text.Length;
                        tracker?.Feed(text);
                        if (line is not null)
                        {
                            line.Append(text);
                            int cut = line.ToString().LastIndexOf('\n') + 1;
                            if (cut == 0 && line.Length >= MaxHeldLine)
                            {
                                cut = line.Length;
                            }

                            if (cut > 0)
                            {
                                string segment = line.ToString(0, cut);
                                line.Remove(0, cut);
                                var evaluation = await _guard.EvaluateAsync(segment, GuardDirection.Output, policy, null, untrusted: false, injectionSignals: true, cancellationToken).ConfigureAwait(false);
                                decisions.AddRange(evaluation.Decisions);
                                strictest = evaluation.Action > strictest ? evaluation.Action : strictest;
                                if (strictest == GuardAction.Block)
                                {
                                    await _guard.AuditAsync(decisions, strictest, GuardDirection.Output, context, cancellationToken).ConfigureAwait(false);
                                    ThrowIfBlocked(decisions, strictest);
                                }

                                text = evaluation.Text;
                            }
                            else
                            {
                                text = string.Empty;
                            }
                        }

                        if (restorer is not null)
                        {
                            text = restorer.Push(text);
                        }

                        if (text.Length == 0)
                        {
                            update.Contents.RemoveAt(c);
                        }
                        else
                        {
                            keep = true;
                            if (!string.Equals(text, tc.Text, StringComparison.Ordinal))
                            {
                                update.Contents[c] = new TextContent(text) { AdditionalProperties = tc.AdditionalProperties, Annotations = tc.Annotations };
                            }
                        }

                        break;
                    case FunctionCallContent call when map is not null:
                        RestoreArguments(call, map);
                        keep = true;
                        break;
                    default:
                        keep = true;
                        break;
                }
            }

            if (!limitsRecorded && ((policy.MaxCharacters is { } max && characters > max) || (tracker is not null && tracker.LongestRun > policy.MaxRepetitions)))
            {
                int before = decisions.Count;
                strictest = AddLimitDecisions(policy, characters, tracker, decisions, strictest);
                if (strictest == GuardAction.Block)
                {
                    await _guard.AuditAsync(decisions, strictest, GuardDirection.Output, context, cancellationToken).ConfigureAwait(false);
                    ThrowIfBlocked(decisions, strictest);
                }

                // A limit acted on without blocking is recorded once.
                limitsRecorded = decisions.Count > before;
            }

            if (keep || !hadText || update.FinishReason is not null)
            {
                yield return update;
            }
        }

        string rest = string.Empty;
        if (line is { Length: > 0 })
        {
            var evaluation = await _guard.EvaluateAsync(line.ToString(), GuardDirection.Output, policy, null, untrusted: false, injectionSignals: true, cancellationToken).ConfigureAwait(false);
            decisions.AddRange(evaluation.Decisions);
            strictest = evaluation.Action > strictest ? evaluation.Action : strictest;
            if (strictest == GuardAction.Block)
            {
                await _guard.AuditAsync(decisions, strictest, GuardDirection.Output, context, cancellationToken).ConfigureAwait(false);
                ThrowIfBlocked(decisions, strictest);
            }

            rest = evaluation.Text;
        }

        if (restorer is not null)
        {
            rest = restorer.Push(rest) + restorer.Flush();
        }

        tracker?.Complete();
        if (!limitsRecorded)
        {
            strictest = AddLimitDecisions(policy, characters, tracker, decisions, strictest);
        }

        await _guard.AuditAsync(decisions, strictest, GuardDirection.Output, context, cancellationToken).ConfigureAwait(false);
        ThrowIfBlocked(decisions, strictest);
        if (rest.Length > 0)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, rest) { ResponseId = last?.ResponseId, MessageId = last?.MessageId, ModelId = last?.ModelId };
        }
    }

    private static PiiSurrogateMap? SurrogatesOf(ChatOptions? options)
        => options?.AdditionalProperties is { } props && props.TryGetValue(PiiSurrogateMap.AdditionalPropertiesKey, out object? value) && value is PiiSurrogateMap { Count: > 0 } map ? map : null;

    private static void RestoreArguments(FunctionCallContent call, PiiSurrogateMap map) => ToolArgumentRestorer.Restore(call, map);

    private static GuardAction AddLimitDecisions(GuardPolicy policy, long characters, RepetitionTracker? tracker, List<GuardDecision> decisions, GuardAction strictest)
    {
        void Limit(string type)
        {
            var finding = new SafetyFinding(type, 0, 0, 1.0, "OutputLimits");
            var action = policy.Decide(finding);
            if (action == GuardAction.Allow)
            {
                return;
            }

            decisions.Add(new GuardDecision(finding, action, type));
            strictest = action > strictest ? action : strictest;
        }

        if (policy.MaxCharacters is { } max && characters > max)
        {
            Limit(SafetyFindingTypes.LengthLimit);
        }

        if (policy.MaxRepetitions is { } repetitions && tracker is not null && tracker.LongestRun > repetitions)
        {
            Limit(SafetyFindingTypes.Repetition);
        }

        return strictest;
    }

    private static void ThrowIfBlocked(List<GuardDecision> decisions, GuardAction strictest)
    {
        if (strictest != GuardAction.Block)
        {
            return;
        }

        var types = decisions.Where(d => d.Action == GuardAction.Block).Select(d => d.Finding.Type).Distinct(StringComparer.Ordinal).ToArray();
        throw new ContentBlockedException(
            $"The output guard blocked the response: it contains {string.Join(", ", types)} at or above the policy's threshold. Change the 'LlmKit:Safety:Output' policy if this is expected.",
            PipelineStageNames.OutputGuard,
            types);
    }
}
