using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The input guard stage (<see cref="PipelineStageNames.InputGuard"/>): evaluates the text of every user, tool and
/// assistant message (system messages are the host's and are left alone; prompt-injection signals count only in
/// user and tool messages and in messages marked with <see cref="UntrustedContent.Mark"/>) against the input
/// policy of the call's tenant, checks its size (<c>MaxCharacters</c> over all scanned text), redacts and anonymises, audits every decision, and throws
/// <see cref="ContentBlockedException"/> for a block before anything reaches the model. Anonymised values travel
/// to the output guard in a <see cref="PiiSurrogateMap"/> on the call's options.
/// </summary>
public sealed class InputGuardChatClient : DelegatingChatClient
{
    private readonly SafetyGuard _guard;

    /// <summary>Gets or sets where blocked calls are recorded; <see langword="null"/> records none (the default pipeline sets it).</summary>
    internal RefusalRecorder? Refusals { get; init; }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The next stage.</param>
    /// <param name="guard">The guard with the policies.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public InputGuardChatClient(IChatClient innerClient, SafetyGuard guard)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(guard);
        _guard = guard;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (guarded, guardedOptions) = await ProtectAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return await base.GetResponseAsync(guarded, guardedOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (guarded, guardedOptions) = await ProtectAsync(messages, options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(guarded, guardedOptions, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private async Task<(IEnumerable<ChatMessage> Messages, ChatOptions? Options)> ProtectAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await ProtectCoreAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ContentBlockedException) when (Refusals is not null)
        {
            await Refusals.RecordAsync(options, CallOutcome.Blocked, LlmFailureKind.ContentPolicy).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(IEnumerable<ChatMessage> Messages, ChatOptions? Options)> ProtectCoreAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var context = options.GetLlmContext();
        var policy = _guard.GetPolicy(GuardDirection.Input, context.TenantId);
        if (policy.IsPassive)
        {
            return (messages, options);
        }

        var map = new PiiSurrogateMap();
        var decisions = new List<GuardDecision>();
        var strictest = GuardAction.Allow;
        var list = messages as IList<ChatMessage> ?? [.. messages];
        List<ChatMessage>? copy = null;
        long characters = 0;
        for (int m = 0; m < list.Count; m++)
        {
            var message = list[m];
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            bool injection = message.Role != ChatRole.Assistant;
            bool untrusted = message.Role == ChatRole.Tool || UntrustedContent.IsMarked(message);
            List<AIContent>? contents = null;
            for (int c = 0; c < message.Contents.Count; c++)
            {
                var content = message.Contents[c];
                bool untrustedContent = untrusted || content is FunctionResultContent;
                async ValueTask<string> GuardAsync(string text)
                {
                    if (text.Length == 0)
                    {
                        return text;
                    }

                    characters += text.Length;
                    var evaluation = await _guard.EvaluateAsync(text, GuardDirection.Input, policy, map, untrustedContent, injection, cancellationToken).ConfigureAwait(false);
                    decisions.AddRange(evaluation.Decisions);
                    if (evaluation.Action > strictest)
                    {
                        strictest = evaluation.Action;
                    }

                    return evaluation.Text;
                }

                AIContent? replacement = null;
                switch (content)
                {
                    case TextContent { Text: { Length: > 0 } text } tc:
                        string guardedText = await GuardAsync(text).ConfigureAwait(false);
                        if (!ReferenceEquals(guardedText, text))
                        {
                            replacement = new TextContent(guardedText) { AdditionalProperties = tc.AdditionalProperties, Annotations = tc.Annotations };
                        }

                        break;
                    case FunctionResultContent { Result: { } result } fr:
                        // A tool's result is untrusted input, whatever its shape: every string in it is scanned.
                        var guardedResult = await ToolArgumentRestorer.MapStringsAsync(result, GuardAsync).ConfigureAwait(false);
                        if (!ReferenceEquals(guardedResult, result))
                        {
                            replacement = new FunctionResultContent(fr.CallId, guardedResult) { AdditionalProperties = fr.AdditionalProperties, Exception = fr.Exception };
                        }

                        break;
                    case FunctionCallContent { Arguments: { Count: > 0 } arguments } call:
                        // Tool-call arguments in the history were restored for the tool; anonymise them again for the model.
                        var guardedArguments = await ToolArgumentRestorer.MapStringsAsync(arguments, GuardAsync).ConfigureAwait(false);
                        if (!ReferenceEquals(guardedArguments, arguments))
                        {
                            replacement = new FunctionCallContent(call.CallId, call.Name, (IDictionary<string, object?>)guardedArguments!)
                            {
                                AdditionalProperties = call.AdditionalProperties,
                                InformationalOnly = call.InformationalOnly,
                            };
                        }

                        break;
                }

                if (replacement is not null)
                {
                    contents ??= [.. message.Contents];
                    contents[c] = replacement;
                }
            }

            if (contents is not null)
            {
                copy ??= [.. list];
                var replaced = message.Clone();
                replaced.Contents = contents;
                copy[m] = replaced;
            }
        }

        if (policy.MaxCharacters is { } max && characters > max)
        {
            // Oversized input: LENGTH_LIMIT, blocked unless a rule says otherwise.
            var limit = new SafetyFinding(SafetyFindingTypes.LengthLimit, 0, 0, 1.0, "InputLimits");
            var action = policy.Decide(limit);
            if (action != GuardAction.Allow)
            {
                decisions.Add(new GuardDecision(limit, action, string.Empty));
                strictest = action > strictest ? action : strictest;
            }
        }

        await _guard.AuditAsync(decisions, strictest, GuardDirection.Input, context, cancellationToken).ConfigureAwait(false);
        if (strictest == GuardAction.Block)
        {
            var types = decisions.Where(d => d.Action == GuardAction.Block).Select(d => d.Finding.Type).Distinct(StringComparer.Ordinal).ToArray();
            throw new ContentBlockedException(
                $"The input guard blocked the request: it contains {string.Join(", ", types)} at or above the policy's threshold. Remove that content or change the 'LlmKit:Safety:Input' policy.",
                PipelineStageNames.InputGuard,
                types);
        }

        if (map.Count == 0)
        {
            return (copy ?? list, options);
        }

        var guardedOptions = options?.Clone() ?? new ChatOptions();
        (guardedOptions.AdditionalProperties ??= [])[PiiSurrogateMap.AdditionalPropertiesKey] = map;
        return (copy ?? list, guardedOptions);
    }
}
