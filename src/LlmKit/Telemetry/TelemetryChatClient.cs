using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmKit;

/// <summary>
/// The telemetry stage: one <see cref="Activity"/> per call (span <c>chat {model}</c>), the GenAI
/// semantic-convention metrics (<c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c>,
/// and <c>gen_ai.client.operation.time_to_first_chunk</c> for streams) and source-generated logs.
/// </summary>
/// <remarks>
/// Message content is recorded only when <see cref="LlmKitTelemetryOptions.RecordMessageContent"/> is on.
/// Nothing it records carries API keys. When no listener is attached it costs a few comparisons per call
/// and allocates nothing per streamed chunk.
/// </remarks>
public sealed class TelemetryChatClient : DelegatingChatClient
{
    private readonly LlmKitTelemetryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly string? _defaultModel;
    private readonly string? _defaultProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to wrap.</param>
    /// <param name="options">What to record; <see langword="null"/> uses the defaults (no content).</param>
    /// <param name="logger">Where to log; <see langword="null"/> logs nothing.</param>
    /// <param name="timeProvider">The clock for durations; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    public TelemetryChatClient(IChatClient innerClient, LlmKitTelemetryOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _options = options ?? new LlmKitTelemetryOptions();
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var metadata = innerClient.GetService<ChatClientMetadata>();
        _defaultModel = metadata?.DefaultModelId;
        _defaultProvider = metadata?.ProviderName;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? requestModel = options?.ModelId ?? _defaultModel;
        if (LlmKitTelemetry.ActivitySource.HasListeners())
        {
            return GetResponseWithActivityAsync(messages, options, requestModel, cancellationToken);
        }

        // No span to keep current: a call that completes at once is measured without an asynchronous state machine.
        long started = _timeProvider.GetTimestamp();
        Task<ChatResponse> call;
        try
        {
            call = base.GetResponseAsync(messages, options, cancellationToken);
        }
#pragma warning disable CA1031 // Recorded and handed back as the task's failure, as an asynchronous method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            call = Task.FromException<ChatResponse>(ex);
        }

        if (call.IsCompletedSuccessfully)
        {
            Finish(null, requestModel, started, call.Result, null);
            return call;
        }

        return AwaitAsync(call, requestModel, started);
    }

    private async Task<ChatResponse> AwaitAsync(Task<ChatResponse> call, string? requestModel, long started)
    {
        ChatResponse? response = null;
        Exception? failure = null;
        try
        {
            response = await call.ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            Finish(null, requestModel, started, response, failure);
        }
    }

    private async Task<ChatResponse> GetResponseWithActivityAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, string? requestModel, CancellationToken cancellationToken)
    {
        using Activity? activity = StartActivity(messages, options, requestModel);
        long started = _timeProvider.GetTimestamp();
        ChatResponse? response = null;
        Exception? failure = null;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            Finish(activity, requestModel, started, response, failure);
        }
    }

    private void Finish(Activity? activity, string? requestModel, long started, ChatResponse? response, Exception? failure)
    {
        var outcome = new Outcome();
        if (response is not null)
        {
            if (LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route))
            {
                outcome.Provider = route.Provider;
                outcome.Deployment = route.Deployment.Name;
            }

            outcome.ResponseModel = response.ModelId;
            outcome.ResponseId = response.ResponseId;
            outcome.FinishReason = response.FinishReason;
            outcome.Usage = response.Usage;
        }

        Complete(activity, requestModel, started, ref outcome, failure);
        if (activity is not null && response is not null && _options.RecordMessageContent)
        {
            activity.SetTag(GenAiAttributes.OutputMessages, SerializeMessages(response.Messages));
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? requestModel = options?.ModelId ?? _defaultModel;
        using Activity? activity = StartActivity(messages, options, requestModel);
        long started = _timeProvider.GetTimestamp();
        var outcome = new Outcome();
        Exception? failure = null;
        StringBuilder? text = activity is not null && _options.RecordMessageContent ? new StringBuilder() : null;
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        bool first = true;
        try
        {
            try
            {
                enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex)
            {
                failure = ex;
                throw;
            }

            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    failure = ex;
                    throw;
                }

                if (first)
                {
                    first = false;
                    if (LlmKitResponseProperties.TryGetRoute(update.AdditionalProperties, out var route))
                    {
                        outcome.Provider = route.Provider;
                        outcome.Deployment = route.Deployment.Name;
                    }
                    RecordTimeToFirstChunk(activity, requestModel, started, outcome.Provider);
                }

                Observe(update, ref outcome, text);
                yield return update;
            }
        }
        finally
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            Complete(activity, requestModel, started, ref outcome, failure);
            if (text is not null && activity is not null)
            {
                activity.SetTag(GenAiAttributes.OutputMessages, SerializeMessages([new ChatMessage(ChatRole.Assistant, text.ToString())]));
            }
        }
    }

    private static void Observe(ChatResponseUpdate update, ref Outcome outcome, StringBuilder? text)
    {
        if (update.ModelId is not null)
        {
            outcome.ResponseModel = update.ModelId;
        }

        if (update.ResponseId is not null)
        {
            outcome.ResponseId = update.ResponseId;
        }

        if (update.FinishReason is not null)
        {
            outcome.FinishReason = update.FinishReason;
        }

        IList<AIContent> contents = update.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case UsageContent usage:
                    // Providers send usage once, in a final update; if several arrive, the last one wins.
                    outcome.Usage = usage.Details;
                    break;
                case TextContent t when text is not null:
                    text.Append(t.Text);
                    break;
            }
        }
    }

    private static string ErrorType(Exception exception) => exception switch
    {
        ProviderException { StatusCode: { } status } => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
        OperationCanceledException => "cancelled",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    private Activity? StartActivity(IEnumerable<ChatMessage> messages, ChatOptions? options, string? requestModel)
    {
        var source = LlmKitTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        var activity = source.StartActivity(
            string.IsNullOrEmpty(requestModel) ? GenAiAttributes.ChatOperation : $"{GenAiAttributes.ChatOperation} {requestModel}",
            ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(GenAiAttributes.OperationName, GenAiAttributes.ChatOperation);
        if (requestModel is not null)
        {
            activity.SetTag(GenAiAttributes.RequestModel, requestModel);
        }

        if (options is not null)
        {
            if (options.MaxOutputTokens is { } max)
            {
                activity.SetTag(GenAiAttributes.RequestMaxTokens, max);
            }

            if (options.Temperature is { } temperature)
            {
                activity.SetTag(GenAiAttributes.RequestTemperature, temperature);
            }

            if (options.TopP is { } topP)
            {
                activity.SetTag(GenAiAttributes.RequestTopP, topP);
            }

            if (options.Seed is { } seed)
            {
                activity.SetTag(GenAiAttributes.RequestSeed, seed);
            }

            if (options.StopSequences is { Count: > 0 } stops)
            {
                activity.SetTag(GenAiAttributes.RequestStopSequences, stops.ToArray());
            }
        }

        var context = options.GetLlmContext();
        if (context.ConversationId is not null)
        {
            activity.SetTag(GenAiAttributes.ConversationId, context.ConversationId);
        }

        if (context.TenantId is not null)
        {
            activity.SetTag(GenAiAttributes.LlmKitTenant, context.TenantId);
        }

        if (context.TemplateId is not null)
        {
            activity.SetTag(GenAiAttributes.LlmKitTemplateId, context.TemplateId);
            if (context.TemplateVersion is { } version)
            {
                activity.SetTag(GenAiAttributes.LlmKitTemplateVersion, version);
            }
        }

        if (_options.RecordMessageContent)
        {
            activity.SetTag(GenAiAttributes.InputMessages, SerializeMessages(messages));
        }

        return activity;
    }

    private void RecordTimeToFirstChunk(Activity? activity, string? requestModel, long started, string? provider)
    {
        var histogram = LlmKitTelemetry.TimeToFirstChunk;
        if (!histogram.Enabled && activity is null)
        {
            return;
        }

        double seconds = _timeProvider.GetElapsedTime(started).TotalSeconds;
        if (histogram.Enabled)
        {
            var tags = new TagList
            {
                { GenAiAttributes.OperationName, GenAiAttributes.ChatOperation },
                { GenAiAttributes.ProviderName, provider ?? _defaultProvider },
                { GenAiAttributes.RequestModel, requestModel },
            };
            histogram.Record(seconds, tags);
        }

        activity?.AddEvent(new ActivityEvent("gen_ai.first_chunk"));
    }

    private void Complete(Activity? activity, string? requestModel, long started, ref Outcome outcome, Exception? failure)
    {
        double seconds = _timeProvider.GetElapsedTime(started).TotalSeconds;
        string? provider = outcome.Provider ?? _defaultProvider;
        string? errorType = failure is null ? null : ErrorType(failure);
        long? inputTokens = outcome.Usage?.InputTokenCount;
        long? outputTokens = outcome.Usage?.OutputTokenCount;

        var duration = LlmKitTelemetry.OperationDuration;
        if (duration.Enabled)
        {
            var tags = new TagList
            {
                { GenAiAttributes.OperationName, GenAiAttributes.ChatOperation },
                { GenAiAttributes.ProviderName, provider },
                { GenAiAttributes.RequestModel, requestModel },
            };
            if (outcome.ResponseModel is not null)
            {
                tags.Add(GenAiAttributes.ResponseModel, outcome.ResponseModel);
            }

            if (errorType is not null)
            {
                tags.Add(GenAiAttributes.ErrorType, errorType);
            }

            duration.Record(seconds, tags);
        }

        var tokenUsage = LlmKitTelemetry.TokenUsage;
        if (tokenUsage.Enabled)
        {
            if (inputTokens is { } input)
            {
                tokenUsage.Record(input, TokenTags("input", provider, requestModel, outcome.ResponseModel));
            }

            if (outputTokens is { } output)
            {
                tokenUsage.Record(output, TokenTags("output", provider, requestModel, outcome.ResponseModel));
            }
        }

        if (activity is not null)
        {
            if (provider is not null)
            {
                activity.SetTag(GenAiAttributes.ProviderName, provider);
            }

            if (outcome.Deployment is not null)
            {
                activity.SetTag(GenAiAttributes.LlmKitDeployment, outcome.Deployment);
            }

            if (outcome.ResponseModel is not null)
            {
                activity.SetTag(GenAiAttributes.ResponseModel, outcome.ResponseModel);
            }

            if (outcome.ResponseId is not null)
            {
                activity.SetTag(GenAiAttributes.ResponseId, outcome.ResponseId);
            }

            if (outcome.FinishReason is { } finish)
            {
                // A JSON array in a string, as Microsoft.Extensions.AI's OpenTelemetryChatClient writes it, so both trace alike.
                activity.SetTag(GenAiAttributes.ResponseFinishReasons, $"[\"{JsonEncodedText.Encode(finish.Value)}\"]");
            }

            if (inputTokens is { } input)
            {
                activity.SetTag(GenAiAttributes.UsageInputTokens, input);
            }

            if (outputTokens is { } output)
            {
                activity.SetTag(GenAiAttributes.UsageOutputTokens, output);
            }

            if (outcome.Usage?.CachedInputTokenCount is { } cached)
            {
                activity.SetTag(GenAiAttributes.UsageCacheReadInputTokens, cached);
            }

            if (outcome.Usage?.ReasoningTokenCount is { } reasoning)
            {
                activity.SetTag(GenAiAttributes.UsageReasoningOutputTokens, reasoning);
            }

            if (errorType is not null)
            {
                activity.SetTag(GenAiAttributes.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, failure is LlmKitException ? SecretMasker.Mask(failure.Message) : errorType);
            }
        }

        if (failure is OperationCanceledException)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                TelemetryLog.CallCancelled(_logger, requestModel, provider, seconds * 1000);
            }
        }
        else if (failure is not null)
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                // An exception whose message holds something shaped like a secret is logged by its masked message only,
                // so that no logging provider prints the secret with the exception.
                string masked = SecretMasker.Mask(failure.Message);
                TelemetryLog.CallFailed(_logger, requestModel, provider, seconds * 1000, errorType!, masked, string.Equals(masked, failure.Message, StringComparison.Ordinal) ? failure : null);
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            TelemetryLog.CallCompleted(_logger, requestModel, provider, seconds * 1000, inputTokens, outputTokens, outcome.FinishReason?.Value);
        }

    }

    private static TagList TokenTags(string tokenType, string? provider, string? requestModel, string? responseModel)
    {
        var tags = new TagList
        {
            { GenAiAttributes.OperationName, GenAiAttributes.ChatOperation },
            { GenAiAttributes.TokenType, tokenType },
            { GenAiAttributes.ProviderName, provider },
            { GenAiAttributes.RequestModel, requestModel },
        };
        if (responseModel is not null)
        {
            tags.Add(GenAiAttributes.ResponseModel, responseModel);
        }

        return tags;
    }

    /// <summary>Writes messages in the GenAI conventions' JSON shape: <c>[{"role":..,"parts":[..]}]</c>.</summary>
    private static string SerializeMessages(IEnumerable<ChatMessage> messages)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WriteStartArray("parts");
                foreach (var content in message.Contents)
                {
                    writer.WriteStartObject();
                    switch (content)
                    {
                        case TextContent text:
                            writer.WriteString("type", "text");
                            writer.WriteString("content", text.Text);
                            break;
                        case TextReasoningContent reasoning:
                            writer.WriteString("type", "reasoning");
                            writer.WriteString("content", reasoning.Text);
                            break;
                        case FunctionCallContent call:
                            writer.WriteString("type", "tool_call");
                            writer.WriteString("id", call.CallId);
                            writer.WriteString("name", call.Name);
                            break;
                        case FunctionResultContent result:
                            writer.WriteString("type", "tool_call_response");
                            writer.WriteString("id", result.CallId);
                            writer.WriteString("response", result.Result?.ToString());
                            break;
                        default:
                            writer.WriteString("type", content.GetType().Name);
                            break;
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private struct Outcome
    {
        public string? Provider;
        public string? Deployment;
        public string? ResponseModel;
        public string? ResponseId;
        public ChatFinishReason? FinishReason;
        public UsageDetails? Usage;
    }
}
