using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmKit;

/// <summary>
/// The tool loop stage (<see cref="PipelineStageNames.ToolLoop"/>): Microsoft.Extensions.AI's
/// <see cref="FunctionInvokingChatClient"/> configured from <see cref="ToolLoopOptions"/>, with what LlmKit adds: each run
/// gets a run id (<see cref="LlmRequestContext.RunId"/>) that every round trip's usage record carries; a tool's arguments
/// are checked against its schema before it runs, and a mismatch goes to the model naming the field; each tool call has a
/// timeout (measured on the host's <see cref="TimeProvider"/>); a tool's failure is a <see cref="ToolInvocationException"/>
/// naming the tool. A call without tools passes straight through.
/// </summary>
internal sealed class ToolLoopChatClient : FunctionInvokingChatClient
{
    private readonly TimeSpan? _toolTimeout;
    private readonly TimeProvider _time;
    private readonly int _maxConsecutiveErrors;

    public ToolLoopChatClient(IChatClient innerClient, ToolLoopOptions options, ILoggerFactory? loggerFactory, IServiceProvider? services, TimeProvider? timeProvider)
        : base(innerClient, loggerFactory, services)
    {
        ArgumentNullException.ThrowIfNull(options);
        // FunctionInvokingChatClient counts round trips that may run tools, then makes one more without tools.
        MaximumIterationsPerRequest = options.MaxIterations - 1;
        MaximumConsecutiveErrorsPerRequest = options.MaxConsecutiveErrors;
        IncludeDetailedErrors = options.IncludeDetailedErrors;
        AllowConcurrentInvocation = options.AllowConcurrentInvocation;
        _maxConsecutiveErrors = options.MaxConsecutiveErrors;
        _toolTimeout = options.ToolTimeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    // A call without tools goes straight to the next stage, without a state machine or an iterator of this stage's own.
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => HasTools(options)
            ? RunAsync(messages, options!, cancellationToken)
            : InnerClient.GetResponseAsync(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => HasTools(options)
            ? RunStreamingAsync(messages, options!, cancellationToken)
            : InnerClient.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async Task<ChatResponse> RunAsync(IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await base.GetResponseAsync(messages, WithRunId(options), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoppedByErrors(ex) is { } stopped)
        {
            throw stopped;
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> RunStreamingAsync(IEnumerable<ChatMessage> messages, ChatOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var updates = base.GetStreamingResponseAsync(messages, WithRunId(options), cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                update = updates.Current;
            }
            catch (Exception ex) when (StoppedByErrors(ex) is { } stopped)
            {
                throw stopped;
            }

            yield return update;
        }
    }

    protected override async ValueTask<object?> InvokeFunctionAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var function = context.Function;
        var call = context.CallContent;
        if (ToolArgumentChecker.Check(function, context.Arguments) is { } problems)
        {
            throw new ToolCallRejectedException(
                $"The arguments of tool '{function.Name}' do not match its schema: {string.Join("; ", problems)}. Call it again with arguments that match.",
                function.Name,
                call.CallId);
        }

        CancellationTokenSource? timeout = _toolTimeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var invocation = base.InvokeFunctionAsync(context, linked?.Token ?? cancellationToken);
            // WaitAsync gives up on a tool that ignores its cancellation token when the timeout passes.
            return linked is null || invocation.IsCompleted
                ? await invocation.ConfigureAwait(false)
                : await invocation.AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new ToolCallRejectedException(
                $"Tool '{function.Name}' did not finish within {_toolTimeout} and was cancelled (LlmKit:ToolLoop:ToolTimeout).",
                function.Name,
                call.CallId,
                ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ToolInvocationException)
        {
            throw new ToolInvocationException($"Tool '{function.Name}' threw {ex.GetType().Name}: {ex.Message}", function.Name, call.CallId, ex);
        }
        finally
        {
            timeout?.Dispose();
        }
    }

    protected override IList<ChatMessage> CreateResponseMessages(ReadOnlySpan<FunctionInvocationResult> results)
    {
        var messages = base.CreateResponseMessages(results);
        if (IncludeDetailedErrors)
        {
            return messages;
        }

        // Argument errors and timeouts go to the model in full: they hold only what the model sent.
        foreach (var message in messages)
        {
            for (int i = 0; i < message.Contents.Count; i++)
            {
                if (message.Contents[i] is FunctionResultContent { Exception: ToolCallRejectedException rejected } result)
                {
                    message.Contents[i] = new FunctionResultContent(result.CallId, "Error: " + rejected.Message)
                    {
                        Exception = rejected,
                        AdditionalProperties = result.AdditionalProperties,
                    };
                }
            }
        }

        return messages;
    }

    private bool HasTools(ChatOptions? options) => options?.Tools is { Count: > 0 } || AdditionalTools is { Count: > 0 };

    private static ChatOptions WithRunId(ChatOptions options)
    {
        var context = options.GetLlmContext();
        if (context.RunId is not null)
        {
            return options;
        }

        return options.Clone().WithLlmContext(context with { RunId = RequestIds.Next() });
    }

    private ToolInvocationException? StoppedByErrors(Exception ex)
    {
        var failures = ex switch
        {
            ToolInvocationException single => [single],
            AggregateException aggregate when aggregate.InnerExceptions.All(e => e is ToolInvocationException) => aggregate.InnerExceptions.Cast<ToolInvocationException>().ToArray(),
            _ => null,
        };
        if (failures is not { Length: > 0 })
        {
            return null;
        }

        var last = failures[^1];
        return new ToolInvocationException(
            $"The tool loop stopped: more than {_maxConsecutiveErrors} round trips in a row ended with a failed tool call (LlmKit:ToolLoop:MaxConsecutiveErrors). The last failure: {last.Message}",
            last.ToolName ?? "(unknown)",
            last.CallId,
            ex);
    }
}
