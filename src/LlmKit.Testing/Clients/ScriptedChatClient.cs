using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit.Testing;

/// <summary>
/// A fake <see cref="IChatClient"/> that answers each call with the next step of a script: text,
/// streamed chunks, tool calls, provider-like failures, with optional latency on a (fake) clock.
/// </summary>
/// <remarks>
/// <para>
/// Script the calls in order with the fluent methods; each call (streaming or not) consumes one step:
/// </para>
/// <code>
/// var client = new ScriptedChatClient(timeProvider)
///     .FailsWithRateLimit(TimeSpan.FromSeconds(2))
///     .ReturnsToolCall("get_weather", new Dictionary&lt;string, object?&gt; { ["city"] = "Paris" })
///     .ReturnsText("It is sunny in Paris.", new UsageDetails { InputTokenCount = 20, OutputTokenCount = 6 })
///     .WithLatency(TimeSpan.FromMilliseconds(300));
/// </code>
/// <para>
/// A step scripted as a response (text, tool calls, a <see cref="ChatResponse"/>) can be consumed by
/// either <see cref="GetResponseAsync"/> or <see cref="GetStreamingResponseAsync"/>: when streamed, text
/// arrives word by word, other contents one update each, the finish reason on the last content update,
/// and the usage (if any) as a final update holding a <see cref="UsageContent"/>. A step scripted as
/// chunks (<see cref="StreamsChunks"/>) can be consumed by <see cref="GetResponseAsync"/> too, as the
/// concatenated text.
/// </para>
/// <para>
/// A streaming call consumes its step when the enumeration starts, as a real client sends its
/// request then. When the script is exhausted, <see cref="FallbackResponder"/> answers; without one
/// the call throws an <see cref="InvalidOperationException"/>. All members are thread-safe.
/// </para>
/// </remarks>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Lock _lock = new();
    private readonly Queue<Step> _steps = new();
    private readonly TimeProvider _timeProvider;
    private Step? _lastScripted;
    private int _scriptedCount;
    private int _callCount;
    private string _defaultModelId = "fake-model";
    private string _providerName = "fake";
    private TimeSpan _defaultLatency;

    /// <summary>Initializes a new instance with an empty script.</summary>
    /// <param name="timeProvider">The clock that latencies and chunk delays wait on, such as a <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    public ScriptedChatClient(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Gets or sets the model id reported in responses when the call's <see cref="ChatOptions.ModelId"/>
    /// is not set, and in <see cref="ChatClientMetadata.DefaultModelId"/>. Defaults to <c>fake-model</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is <see langword="null"/>, empty or white space.</exception>
    public string DefaultModelId
    {
        get => Volatile.Read(ref _defaultModelId);
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            Volatile.Write(ref _defaultModelId, value);
        }
    }

    /// <summary>
    /// Gets or sets the provider name reported in <see cref="ChatClientMetadata.ProviderName"/> and in the
    /// <see cref="ProviderException.Provider"/> of scripted failures. Defaults to <c>fake</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is <see langword="null"/>, empty or white space.</exception>
    public string ProviderName
    {
        get => Volatile.Read(ref _providerName);
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            Volatile.Write(ref _providerName, value);
        }
    }

    /// <summary>
    /// Gets or sets the latency of every step that has no latency of its own (see <see cref="WithLatency"/>).
    /// Defaults to <see cref="TimeSpan.Zero"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan DefaultLatency
    {
        get
        {
            lock (_lock)
            {
                return _defaultLatency;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_lock)
            {
                _defaultLatency = value;
            }
        }
    }

    /// <summary>
    /// Gets or sets what answers the calls made after the script is exhausted. It receives the call's
    /// messages and options and returns the response (streamed like a scripted response when the call
    /// streams; its missing <see cref="ChatResponse.ModelId"/>, <see cref="ChatResponse.ResponseId"/> and
    /// <see cref="ChatResponse.CreatedAt"/> are filled in). Defaults to <see langword="null"/>: such calls
    /// throw an <see cref="InvalidOperationException"/>. Scripted latency does not apply; <see cref="DefaultLatency"/> does.
    /// </summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, ChatResponse>? FallbackResponder { get; set; }

    /// <summary>Gets the number of calls made so far, streaming or not, including those that failed.</summary>
    public int CallCount
    {
        get
        {
            lock (_lock)
            {
                return _callCount;
            }
        }
    }

    /// <summary>Gets the number of scripted steps not yet consumed.</summary>
    public int RemainingSteps
    {
        get
        {
            lock (_lock)
            {
                return _steps.Count;
            }
        }
    }

    /// <summary>Scripts a plain text answer with finish reason <see cref="ChatFinishReason.Stop"/>.</summary>
    /// <param name="text">The assistant's text; streamed word by word.</param>
    /// <param name="usage">The usage to report; defaults to <see langword="null"/> (no usage reported).</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient ReturnsText(string text, UsageDetails? usage = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Add(new Step
        {
            Respond = (_, _, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = usage,
            },
        });
    }

    /// <summary>
    /// Scripts an answer that asks for one tool call, with finish reason <see cref="ChatFinishReason.ToolCalls"/>.
    /// </summary>
    /// <param name="name">The tool (function) name.</param>
    /// <param name="arguments">The call's arguments; copied.</param>
    /// <param name="callId">The call id; defaults to <c>call_{call number}_1</c>.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="arguments"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public ScriptedChatClient ReturnsToolCall(string name, IDictionary<string, object?> arguments, string? callId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(arguments);
        var copy = new Dictionary<string, object?>(arguments, StringComparer.Ordinal);
        return Add(new Step
        {
            Respond = (_, _, call) => ToolCallResponse(
                [new FunctionCallContent(callId ?? string.Create(CultureInfo.InvariantCulture, $"call_{call}_1"), name, copy)]),
        });
    }

    /// <summary>
    /// Scripts an answer that asks for several tool calls at once (parallel tool calls), with finish
    /// reason <see cref="ChatFinishReason.ToolCalls"/>.
    /// </summary>
    /// <param name="calls">The calls, in order, such as <c>new FunctionCallContent("call_1", "get_weather", args)</c>.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="calls"/> is empty.</exception>
    public ScriptedChatClient ReturnsToolCalls(params IEnumerable<FunctionCallContent> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        FunctionCallContent[] copy = [.. calls];
        if (copy.Length == 0)
        {
            throw new ArgumentException("Script at least one tool call.", nameof(calls));
        }

        foreach (FunctionCallContent call in copy)
        {
            ArgumentNullException.ThrowIfNull(call, nameof(calls));
        }

        return Add(new Step { Respond = (_, _, _) => ToolCallResponse([.. copy]) });
    }

    /// <summary>
    /// Scripts an exact response. Its messages, usage and finish reason are returned as they are; when
    /// its <see cref="ChatResponse.ModelId"/>, <see cref="ChatResponse.ResponseId"/> or
    /// <see cref="ChatResponse.CreatedAt"/> is not set, the client fills it in.
    /// </summary>
    /// <param name="response">The response to return.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient ReturnsResponse(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Add(new Step { Respond = (_, _, _) => response });
    }

    /// <summary>
    /// Scripts a step whose response is computed from the call's messages and options, such as an echo.
    /// </summary>
    /// <param name="responder">Computes the response; exceptions it throws surface from the call.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="responder"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient Responds(Func<IEnumerable<ChatMessage>, ChatOptions?, ChatResponse> responder)
    {
        ArgumentNullException.ThrowIfNull(responder);
        return Add(new Step { Respond = (messages, options, _) => responder(messages, options) });
    }

    /// <summary>
    /// Scripts a streamed answer made of exactly the given chunks, one update each, then a final
    /// update with the usage when <paramref name="usage"/> is set. Finish reason <see cref="ChatFinishReason.Stop"/>.
    /// </summary>
    /// <param name="chunks">The text chunks, in order.</param>
    /// <param name="delayPerChunk">How long to wait on the client's clock before each chunk; defaults to no delay. A non-streaming call waits for all chunks at once.</param>
    /// <param name="usage">The usage to report; defaults to <see langword="null"/> (no usage reported).</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chunks"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delayPerChunk"/> is negative.</exception>
    public ScriptedChatClient StreamsChunks(IEnumerable<string> chunks, TimeSpan? delayPerChunk = null, UsageDetails? usage = null)
        => Add(ChunkStep(chunks, delayPerChunk, usage, failure: null));

    /// <summary>
    /// Scripts a stream that delivers the given chunks and then fails with <paramref name="exception"/>,
    /// as when a provider cuts a stream. A non-streaming call consuming this step throws the exception.
    /// </summary>
    /// <param name="chunks">The text chunks delivered before the failure.</param>
    /// <param name="exception">The exception thrown after the last chunk.</param>
    /// <param name="delayPerChunk">How long to wait on the client's clock before each chunk; defaults to no delay.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument or one of the chunks is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delayPerChunk"/> is negative.</exception>
    public ScriptedChatClient StreamsThenFails(IEnumerable<string> chunks, Exception exception, TimeSpan? delayPerChunk = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Add(ChunkStep(chunks, delayPerChunk, usage: null, failure: (_, _) => exception));
    }

    /// <summary>
    /// Scripts a rate-limit rejection: a <see cref="RateLimitedException"/> with HTTP status 429,
    /// <see cref="LlmFailureKind.RateLimited"/>, provider <see cref="ProviderName"/>, error code
    /// <c>rate_limit_exceeded</c> and <see cref="ProviderException.IsRetryable"/> <see langword="true"/>.
    /// </summary>
    /// <param name="retryAfter">How long the fake provider asks to wait; defaults to <see langword="null"/> (not said).</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retryAfter"/> is negative.</exception>
    public ScriptedChatClient FailsWithRateLimit(TimeSpan? retryAfter = null)
    {
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(retryAfter));
        }

        return Add(new Step
        {
            Fail = (model, call) =>
            {
                string hint = retryAfter is { } r
                    ? string.Create(CultureInfo.InvariantCulture, $" Retry after {r.TotalSeconds} s.")
                    : " Wait and try again.";
                return new RateLimitedException(
                    $"Scripted failure: provider '{ProviderName}' rejected the call to '{model}' for exceeding a rate limit (HTTP 429).{hint}",
                    ProviderName,
                    retryAfter,
                    isQuotaExhausted: false,
                    statusCode: HttpStatusCode.TooManyRequests,
                    providerErrorCode: "rate_limit_exceeded",
                    requestId: RequestId(call));
            },
        });
    }

    /// <summary>
    /// Scripts an exhausted quota: a <see cref="RateLimitedException"/> with HTTP status 429,
    /// <see cref="LlmFailureKind.QuotaExhausted"/>, error code <c>insufficient_quota</c> and
    /// <see cref="ProviderException.IsRetryable"/> <see langword="false"/>.
    /// </summary>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient FailsWithQuotaExhausted() => Add(new Step
    {
        Fail = (model, call) => new RateLimitedException(
            $"Scripted failure: provider '{ProviderName}' rejected the call to '{model}' because the account's quota is exhausted (HTTP 429). Add credit or raise the quota.",
            ProviderName,
            retryAfter: null,
            isQuotaExhausted: true,
            statusCode: HttpStatusCode.TooManyRequests,
            providerErrorCode: "insufficient_quota",
            requestId: RequestId(call)),
    });

    /// <summary>
    /// Scripts an overloaded provider: a <see cref="ProviderException"/> with
    /// <see cref="LlmFailureKind.Overloaded"/>, error code <c>overloaded_error</c> and
    /// <see cref="ProviderException.IsRetryable"/> <see langword="true"/>.
    /// </summary>
    /// <param name="statusCode">The HTTP status; defaults to 529 (Anthropic's overload status); use <see cref="HttpStatusCode.ServiceUnavailable"/> (503) for other providers.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient FailsWithOverload(HttpStatusCode statusCode = (HttpStatusCode)529) => Add(new Step
    {
        Fail = (model, call) => new ProviderException(
            $"Scripted failure: provider '{ProviderName}' is overloaded and could not serve '{model}' (HTTP {(int)statusCode}). Try again later or fall back to another deployment.",
            ProviderName,
            statusCode,
            LlmFailureKind.Overloaded,
            providerErrorCode: "overloaded_error",
            requestId: RequestId(call)),
    });

    /// <summary>
    /// Scripts a server error: a <see cref="ProviderException"/> with <see cref="LlmFailureKind.ServerError"/>,
    /// error code <c>server_error</c> and <see cref="ProviderException.IsRetryable"/> <see langword="true"/>.
    /// </summary>
    /// <param name="statusCode">The HTTP status; defaults to <see cref="HttpStatusCode.InternalServerError"/> (500).</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient FailsWithServerError(HttpStatusCode statusCode = HttpStatusCode.InternalServerError) => Add(new Step
    {
        Fail = (model, call) => new ProviderException(
            $"Scripted failure: provider '{ProviderName}' failed with a server error while serving '{model}' (HTTP {(int)statusCode}). Try again later.",
            ProviderName,
            statusCode,
            LlmFailureKind.ServerError,
            providerErrorCode: "server_error",
            requestId: RequestId(call)),
    });

    /// <summary>
    /// Scripts a context-window rejection by the provider: a <see cref="ContextWindowExceededException"/>
    /// whose <see cref="ContextWindowExceededException.Provider"/> is <see cref="ProviderName"/> and whose
    /// <see cref="ContextWindowExceededException.ModelId"/> is the call's model.
    /// </summary>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient FailsWithContextWindowExceeded() => Add(new Step
    {
        Fail = (model, _) => new ContextWindowExceededException(
            $"Scripted failure: provider '{ProviderName}' reported that the request does not fit the context window of '{model}'. Shorten the conversation or use a model with a larger window.")
        {
            Provider = ProviderName,
            ModelId = model,
        },
    });

    /// <summary>Scripts a call that throws <paramref name="exception"/> (for a streaming call, when the enumeration starts).</summary>
    /// <param name="exception">The exception to throw.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public ScriptedChatClient Throws(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Add(new Step { Fail = (_, _) => exception });
    }

    /// <summary>
    /// Gives the step scripted just before this call a latency: the call waits that long on the client's
    /// clock before answering, failing or streaming its first chunk, and honours cancellation while waiting.
    /// Overrides <see cref="DefaultLatency"/> for that step.
    /// </summary>
    /// <param name="latency">How long the step waits.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="latency"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">No step is waiting in the script to apply the latency to.</exception>
    public ScriptedChatClient WithLatency(TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        lock (_lock)
        {
            if (_lastScripted is null)
            {
                throw new InvalidOperationException("WithLatency applies to the step scripted just before it, and no step is waiting in the script. Call ReturnsText, StreamsChunks, FailsWith... first.");
            }

            _lastScripted.Latency = latency;
        }

        return this;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The script is exhausted and no <see cref="FallbackResponder"/> is set.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        (Step step, int call, TimeSpan latency) = NextStep();
        string model = options?.ModelId ?? DefaultModelId;

        if (step.Chunks is { } chunks)
        {
            latency += step.ChunkDelay * chunks.Count;
        }

        await DelayAsync(latency, cancellationToken).ConfigureAwait(false);

        if (step.Fail is { } fail)
        {
            throw fail(model, call);
        }

        ChatResponse response = step.Chunks is { } parts
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(parts)))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = step.Usage,
            }
            : step.Respond!(messages, options, call);
        return Complete(response, model, call);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The script is exhausted and no <see cref="FallbackResponder"/> is set (thrown when the enumeration starts).</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <summary>
    /// Returns this client for <see cref="ScriptedChatClient"/> (or a type it implements), and a
    /// <see cref="ChatClientMetadata"/> with <see cref="ProviderName"/> and <see cref="DefaultModelId"/>;
    /// otherwise, or when <paramref name="serviceKey"/> is set, <see langword="null"/>.
    /// </summary>
    /// <param name="serviceType">The type of service asked for.</param>
    /// <param name="serviceKey">The key of the service; only unkeyed services are offered.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata(ProviderName, providerUri: null, DefaultModelId);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the client holds no resources. The script stays usable.</summary>
    public void Dispose()
    {
    }

    private static ChatResponse ToolCallResponse(IList<AIContent> calls)
        => new(new ChatMessage(ChatRole.Assistant, calls)) { FinishReason = ChatFinishReason.ToolCalls };

    private static string RequestId(int call) => string.Create(CultureInfo.InvariantCulture, $"fake-request-{call}");

    private static string ResponseId(int call) => string.Create(CultureInfo.InvariantCulture, $"fake-response-{call}");

    private static Step ChunkStep(IEnumerable<string> chunks, TimeSpan? delayPerChunk, UsageDetails? usage, Func<string, int, Exception>? failure)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        string[] copy = [.. chunks];
        foreach (string chunk in copy)
        {
            ArgumentNullException.ThrowIfNull(chunk, nameof(chunks));
        }

        TimeSpan delay = delayPerChunk ?? TimeSpan.Zero;
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(delayPerChunk));
        return new Step { Chunks = copy, ChunkDelay = delay, Usage = usage, Fail = failure };
    }

    private static List<ChatResponseUpdate> ToUpdates(ChatResponse response)
    {
        var updates = new List<ChatResponseUpdate>();
        for (int i = 0; i < response.Messages.Count; i++)
        {
            ChatMessage message = response.Messages[i];
            string messageId = message.MessageId ?? string.Create(CultureInfo.InvariantCulture, $"{response.ResponseId}-{i}");
            foreach (AIContent content in message.Contents)
            {
                if (content is TextContent text)
                {
                    foreach (string word in TextChunks.SplitWords(text.Text))
                    {
                        updates.Add(NewUpdate(response, message.Role, messageId, [new TextContent(word)]));
                    }
                }
                else
                {
                    updates.Add(NewUpdate(response, message.Role, messageId, [content]));
                }
            }
        }

        if (updates.Count == 0)
        {
            updates.Add(NewUpdate(response, ChatRole.Assistant, string.Create(CultureInfo.InvariantCulture, $"{response.ResponseId}-0"), []));
        }

        ChatResponseUpdate last = updates[^1];
        last.FinishReason = response.FinishReason;
        if (response.Usage is { } usage)
        {
            updates.Add(NewUpdate(response, last.Role, last.MessageId, [new UsageContent(usage)]));
        }

        return updates;
    }

    private static ChatResponseUpdate NewUpdate(ChatResponse response, ChatRole? role, string? messageId, IList<AIContent> contents) => new(role, contents)
    {
        ResponseId = response.ResponseId,
        MessageId = messageId,
        ModelId = response.ModelId,
        CreatedAt = response.CreatedAt,
        ConversationId = response.ConversationId,
    };

    private ChatResponse Complete(ChatResponse response, string model, int call)
    {
        response.ModelId ??= model;
        response.ResponseId ??= ResponseId(call);
        response.CreatedAt ??= _timeProvider.GetUtcNow();
        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        (Step step, int call, TimeSpan latency) = NextStep();
        string model = options?.ModelId ?? DefaultModelId;
        await DelayAsync(latency, cancellationToken).ConfigureAwait(false);

        if (step.Chunks is { } chunks)
        {
            string responseId = ResponseId(call);
            string messageId = responseId + "-0";
            DateTimeOffset createdAt = _timeProvider.GetUtcNow();
            for (int i = 0; i < chunks.Count; i++)
            {
                await DelayAsync(step.ChunkDelay, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, chunks[i])
                {
                    ResponseId = responseId,
                    MessageId = messageId,
                    ModelId = model,
                    CreatedAt = createdAt,
                    FinishReason = i == chunks.Count - 1 && step.Fail is null ? ChatFinishReason.Stop : null,
                };
            }

            if (step.Fail is { } streamFailure)
            {
                throw streamFailure(model, call);
            }

            if (chunks.Count == 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, contents: [])
                {
                    ResponseId = responseId,
                    MessageId = messageId,
                    ModelId = model,
                    CreatedAt = createdAt,
                    FinishReason = ChatFinishReason.Stop,
                };
            }

            if (step.Usage is { } usage)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
                {
                    ResponseId = responseId,
                    MessageId = messageId,
                    ModelId = model,
                    CreatedAt = createdAt,
                };
            }

            yield break;
        }

        if (step.Fail is { } fail)
        {
            throw fail(model, call);
        }

        ChatResponse response = Complete(step.Respond!(messages, options, call), model, call);
        foreach (ChatResponseUpdate update in ToUpdates(response))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    private (Step Step, int Call, TimeSpan Latency) NextStep()
    {
        Func<IEnumerable<ChatMessage>, ChatOptions?, ChatResponse>? fallback = FallbackResponder;
        lock (_lock)
        {
            int call = ++_callCount;
            if (_steps.TryDequeue(out Step? step))
            {
                if (ReferenceEquals(step, _lastScripted))
                {
                    _lastScripted = null;
                }

                return (step, call, step.Latency ?? _defaultLatency);
            }

            if (fallback is not null)
            {
                return (new Step { Respond = (messages, options, _) => fallback(messages, options) }, call, _defaultLatency);
            }

            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"ScriptedChatClient received call #{call} but only {_scriptedCount} call(s) were scripted, and all have been consumed. Script more steps (ReturnsText, StreamsChunks, FailsWith...) or set FallbackResponder."));
        }
    }

    private ScriptedChatClient Add(Step step)
    {
        lock (_lock)
        {
            _steps.Enqueue(step);
            _lastScripted = step;
            _scriptedCount++;
        }

        return this;
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        => delay > TimeSpan.Zero ? Task.Delay(delay, _timeProvider, cancellationToken) : Task.CompletedTask;

    private sealed class Step
    {
        /// <summary>Builds the response from the messages, the options and the call number.</summary>
        public Func<IEnumerable<ChatMessage>, ChatOptions?, int, ChatResponse>? Respond { get; init; }

        /// <summary>Builds the exception from the model id and the call number.</summary>
        public Func<string, int, Exception>? Fail { get; init; }

        public IReadOnlyList<string>? Chunks { get; init; }

        public TimeSpan ChunkDelay { get; init; }

        public UsageDetails? Usage { get; init; }

        public TimeSpan? Latency { get; set; }
    }
}
