using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>The handlers of <c>/chat/completions</c>, <c>/embeddings</c> and <c>/models</c>.</summary>
internal sealed partial class OpenAIEndpointHandlers
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly CallerRateLimiter _limiter;
    private readonly ILogger _logger;

    public OpenAIEndpointHandlers(IServiceProvider services)
    {
        _services = services;
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _limiter = new CallerRateLimiter(_time);
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("LlmKit.AspNetCore.OpenAI") ?? NullLogger.Instance;
    }

    private LlmKitApiOptions ApiOptions => _services.GetService<IOptions<LlmKitApiOptions>>()?.Value ?? new LlmKitApiOptions();

    public async Task ChatCompletionsAsync(HttpContext context)
    {
        OpenAICaller? caller = null;
        var cancellationToken = context.RequestAborted;
        try
        {
            caller = await AdmitAsync(context, ApiKeyScopes.Chat, cancellationToken).ConfigureAwait(false);
            var body = await ReadBodyAsync(context, caller.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
            OpenAIChatRequest request;
            using (var document = OpenAIJson.Parse(body))
            {
                request = OpenAIChatRequestReader.Read(document.RootElement, caller.MaxMessages, caller.MaxOutputTokens);
            }

            CheckModelAllowed(caller, request.Model);
            CheckModelKnown(request.Model);
            var llmContext = ContextFor(context, caller, request.User);
            request.Options.WithLlmContext(llmContext);
            using var scope = LlmRequestContext.BeginScope(llmContext);
            var chat = _services.GetRequiredService<IChatClient>();
            string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
            long created = _time.GetUtcNow().ToUnixTimeSeconds();
            if (request.Stream)
            {
                await StreamAsync(context, chat, request, caller, id, created, cancellationToken).ConfigureAwait(false);
                return;
            }

            var response = await chat.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
            _limiter.AddTokens(caller, TotalTokens(response.Usage));
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
            {
                OpenAIChatResponseWriter.WriteCompletion(writer, response, string.IsNullOrEmpty(response.ResponseId) ? id : "chatcmpl-" + response.ResponseId, created, request.Model);
            }

            await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !IsAbort(ex, context))
        {
            await FailAsync(context, caller, ex).ConfigureAwait(false);
        }
    }

    public async Task EmbeddingsAsync(HttpContext context)
    {
        OpenAICaller? caller = null;
        var cancellationToken = context.RequestAborted;
        try
        {
            caller = await AdmitAsync(context, ApiKeyScopes.Embeddings, cancellationToken).ConfigureAwait(false);
            var body = await ReadBodyAsync(context, caller.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
            string model;
            List<string> inputs;
            bool base64;
            var options = new EmbeddingGenerationOptions();
            using (var document = OpenAIJson.Parse(body))
            {
                var root = document.RootElement;
                model = OpenAIJson.RequiredString(root, "model", "model");
                inputs = ReadEmbeddingInput(root);
                string format = OpenAIJson.String(root, "encoding_format", "encoding_format") ?? "float";
                base64 = format switch
                {
                    "float" => false,
                    "base64" => true,
                    _ => throw OpenAIJson.Fail(OpenAIError.BadRequest($"Invalid value: '{format}'. Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value")),
                };
                options.Dimensions = (int?)OpenAIJson.Integer(root, "dimensions", "dimensions", 1);
                options.ModelId = model;
            }

            CheckModelAllowed(caller, model);
            var generator = _services.GetKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(model)
                ?? _services.GetService<IEmbeddingGenerator<string, Embedding<float>>>()
                ?? throw OpenAIJson.Fail(new OpenAIError(404, $"The model '{model}' does not exist or has no embeddings: register an IEmbeddingGenerator keyed by '{model}', or a default one.", OpenAIError.InvalidRequest, "model", "model_not_found"));
            using var scope = LlmRequestContext.BeginScope(ContextFor(context, caller, user: null));
            var embeddings = await generator.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != inputs.Count)
            {
                throw new ProviderResponseFormatException($"The embedding generator returned {embeddings.Count} embeddings for {inputs.Count} inputs; refusing to answer with a partial result.");
            }

            long tokens = embeddings.Usage?.InputTokenCount ?? 0;
            _limiter.AddTokens(caller, tokens);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("object"u8, "list"u8);
                w.WriteStartArray("data"u8);
                for (int i = 0; i < embeddings.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("object"u8, "embedding"u8);
                    w.WriteNumber("index"u8, i);
                    var vector = embeddings[i].Vector.Span;
                    if (base64)
                    {
                        w.WriteBase64String("embedding"u8, MemoryMarshal.AsBytes(vector));
                    }
                    else
                    {
                        w.WriteStartArray("embedding"u8);
                        foreach (float value in vector)
                        {
                            w.WriteNumberValue(value);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("model"u8, model);
                w.WriteStartObject("usage"u8);
                w.WriteNumber("prompt_tokens"u8, tokens);
                w.WriteNumber("total_tokens"u8, embeddings.Usage?.TotalTokenCount ?? tokens);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !IsAbort(ex, context))
        {
            await FailAsync(context, caller, ex).ConfigureAwait(false);
        }
    }

    public async Task ListModelsAsync(HttpContext context)
    {
        try
        {
            var caller = await AuthenticateAsync(context, context.RequestAborted).ConfigureAwait(false);
            if (!caller.HasScope(ApiKeyScopes.Chat) && !caller.HasScope(ApiKeyScopes.Embeddings))
            {
                throw OpenAIJson.Fail(MissingScope("chat' or 'embeddings"));
            }

            var models = VisibleModels(caller);
            context.Response.ContentType = "application/json";
            using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("object"u8, "list"u8);
                w.WriteStartArray("data"u8);
                foreach (var (name, owner) in models)
                {
                    WriteModel(w, name, owner);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !IsAbort(ex, context))
        {
            await FailAsync(context, null, ex).ConfigureAwait(false);
        }
    }

    public async Task GetModelAsync(HttpContext context, string model)
    {
        try
        {
            var caller = await AuthenticateAsync(context, context.RequestAborted).ConfigureAwait(false);
            if (!caller.HasScope(ApiKeyScopes.Chat) && !caller.HasScope(ApiKeyScopes.Embeddings))
            {
                throw OpenAIJson.Fail(MissingScope("chat' or 'embeddings"));
            }

            var found = VisibleModels(caller).FirstOrDefault(m => string.Equals(m.Name, model, StringComparison.OrdinalIgnoreCase));
            if (found.Name is null)
            {
                throw OpenAIJson.Fail(new OpenAIError(404, $"The model '{model}' does not exist or you do not have access to it.", OpenAIError.InvalidRequest, "model", "model_not_found"));
            }

            context.Response.ContentType = "application/json";
            using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
            {
                WriteModel(w, found.Name, found.Owner);
            }

            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !IsAbort(ex, context))
        {
            await FailAsync(context, null, ex).ConfigureAwait(false);
        }
    }

    private static void WriteModel(Utf8JsonWriter w, string name, string owner)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, name);
        w.WriteString("object"u8, "model"u8);
        w.WriteNumber("created"u8, 0);
        w.WriteString("owned_by"u8, owner);
        w.WriteEndObject();
    }

    private List<(string Name, string Owner)> VisibleModels(OpenAICaller caller)
    {
        var options = _services.GetRequiredService<IOptions<LlmKitOptions>>().Value;
        return options.Models
            .Where(m => caller.AllowsModel(m.Key))
            .OrderBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => (m.Key, m.Value.Deployments.FirstOrDefault()?.Provider is { Length: > 0 } provider ? provider : "llmkit"))
            .ToList();
    }

    private async Task StreamAsync(HttpContext context, IChatClient chat, OpenAIChatRequest request, OpenAICaller caller, string id, long created, CancellationToken cancellationToken)
    {
        var updates = chat.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var _ = updates.ConfigureAwait(false);

        // The first update is awaited before any byte is sent, so a call refused up front (budget, rate limit, unknown
        // model, provider down) still gets its HTTP status and OpenAI error body.
        bool more = await updates.MoveNextAsync().ConfigureAwait(false);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var pipe = response.BodyWriter;
        using var writer = new Utf8JsonWriter(pipe, WriterOptions);
        int toolIndex = 0;
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        bool sawToolCalls = false;
        try
        {
            writer.Reset(pipe);
            pipe.Write("data: "u8);
            OpenAIChatResponseWriter.WriteDeltaChunk(writer, id, created, request.Model, request.IncludeUsage, withRole: true, string.Empty, null, ref toolIndex, null);
            await EndEventAsync(writer, pipe, cancellationToken).ConfigureAwait(false);
            while (more)
            {
                var update = updates.Current;
                string? text = null;
                List<FunctionCallContent>? calls = null;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent t when !string.IsNullOrEmpty(t.Text):
                            text = text is null ? t.Text : text + t.Text;
                            break;
                        case FunctionCallContent call when !call.InformationalOnly:
                            (calls ??= []).Add(call);
                            break;
                        case UsageContent u:
                            usage = Add(usage, u.Details);
                            break;
                    }
                }

                finish = update.FinishReason ?? finish;
                if (text is not null || calls is not null)
                {
                    sawToolCalls |= calls is not null;
                    writer.Reset(pipe);
                    pipe.Write("data: "u8);
                    OpenAIChatResponseWriter.WriteDeltaChunk(writer, id, created, request.Model, request.IncludeUsage, withRole: false, text, calls, ref toolIndex, null);
                    await EndEventAsync(writer, pipe, cancellationToken).ConfigureAwait(false);
                }

                more = await updates.MoveNextAsync().ConfigureAwait(false);
            }

            writer.Reset(pipe);
            pipe.Write("data: "u8);
            OpenAIChatResponseWriter.WriteDeltaChunk(writer, id, created, request.Model, request.IncludeUsage, withRole: false, null, null, ref toolIndex, OpenAIChatResponseWriter.FinishReason(finish, sawToolCalls));
            await EndEventAsync(writer, pipe, cancellationToken).ConfigureAwait(false);
            if (request.IncludeUsage)
            {
                writer.Reset(pipe);
                pipe.Write("data: "u8);
                OpenAIChatResponseWriter.WriteUsageChunk(writer, id, created, request.Model, usage);
                await EndEventAsync(writer, pipe, cancellationToken).ConfigureAwait(false);
            }

            pipe.Write("data: [DONE]\n\n"u8);
            await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsAbort(ex, context))
        {
            // Headers are sent: the error goes out as a last event, and the stream ends without [DONE], so no client
            // mistakes it for a complete answer.
            var error = OpenAIExceptionMapper.Map(ex, _time.GetUtcNow());
            LogFailure(caller, error.Status, ex);
            writer.Reset(pipe);
            pipe.Write("data: "u8);
            error.WriteBody(writer);
            await EndEventAsync(writer, pipe, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _limiter.AddTokens(caller, TotalTokens(usage));
        }
    }

    private static async ValueTask EndEventAsync(Utf8JsonWriter writer, System.IO.Pipelines.PipeWriter pipe, CancellationToken cancellationToken)
    {
        writer.Flush();
        pipe.Write("\n\n"u8);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static UsageDetails Add(UsageDetails? total, UsageDetails next)
    {
        if (total is null)
        {
            return next;
        }

        total.Add(next);
        return total;
    }

    private static long TotalTokens(UsageDetails? usage)
        => usage?.TotalTokenCount ?? (usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0);

    private async Task<OpenAICaller> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
        => await OpenAIAuthenticator.AuthenticateAsync(context, ApiOptions, cancellationToken).ConfigureAwait(false);

    private async Task<OpenAICaller> AdmitAsync(HttpContext context, string scope, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
        if (!caller.HasScope(scope))
        {
            throw OpenAIJson.Fail(MissingScope(scope));
        }

        if (_limiter.TryAdmit(caller) is { } limited)
        {
            throw OpenAIJson.Fail(limited);
        }

        return caller;
    }

    private static OpenAIError MissingScope(string scope)
        => new(403, $"This API key does not have the '{scope}' scope needed here. Use a key created with --scopes {scope.Split('\'')[0]}.", "permission_error", null, "missing_scope");

    private void CheckModelAllowed(OpenAICaller caller, string model)
    {
        if (caller.AllowedModels.Count == 0 || caller.AllowsModel(model))
        {
            return;
        }

        // An alias of an allowed model is allowed too.
        if (_services.GetService<IModelRegistry>() is { } registry && registry.TryGet(model, out var descriptor) && caller.AllowsModel(descriptor.Id))
        {
            return;
        }

        throw OpenAIJson.Fail(new OpenAIError(403, $"This API key may not use the model '{model}'. It may use: {string.Join(", ", caller.AllowedModels)}.", "permission_error", "model", "model_not_allowed"));
    }

    /// <summary>
    /// A chat model must be a logical model (<c>LlmKit:Models</c>) or a model the registry knows by id or alias; anything
    /// else is refused with 404 here rather than sent to a default provider under a name no one configured.
    /// </summary>
    private void CheckModelKnown(string model)
    {
        if (_services.GetRequiredService<IOptions<LlmKitOptions>>().Value.Models.ContainsKey(model)
            || (_services.GetService<IModelRegistry>() is { } registry && registry.TryGet(model, out _)))
        {
            return;
        }

        throw OpenAIJson.Fail(new OpenAIError(404, $"The model '{model}' does not exist or you do not have access to it. GET /models lists the models this key may use.", OpenAIError.InvalidRequest, "model", "model_not_found"));
    }

    private static LlmRequestContext ContextFor(HttpContext context, OpenAICaller caller, string? user)
        => new()
        {
            RequestId = context.TraceIdentifier,
            TenantId = caller.TenantId,
            UserId = caller.UserId ?? user,
            ApiKeyId = caller.ApiKeyId,
        };

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            throw OpenAIJson.Fail(TooLarge(limit));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // LlmKit enforces the caller's own limit below; the server's must not cut in first.
            size.MaxRequestBodySize = limit + 1;
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is { } length ? (int)Math.Max(length, 256) : 4096);
        var stream = request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            int read;
            try
            {
                read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex)
            {
                throw OpenAIJson.Fail(ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TooLarge(limit)
                    : OpenAIError.BadRequest("The request body could not be read: " + ex.Message, null, "invalid_body"));
            }

            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                throw OpenAIJson.Fail(TooLarge(limit));
            }
        }
    }

    private static OpenAIError TooLarge(long limit) => new(
        413,
        string.Create(CultureInfo.InvariantCulture, $"Request body too large: this caller may send at most {limit} bytes. Send fewer or shorter messages."),
        OpenAIError.InvalidRequest,
        null,
        "request_too_large");

    private static List<string> ReadEmbeddingInput(JsonElement root)
    {
        if (!OpenAIJson.TryGet(root, "input", out var input))
        {
            throw OpenAIJson.Fail(OpenAIError.BadRequest("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return [input.GetString()!];
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            throw OpenAIJson.Fail(OpenAIError.InvalidType("input", "a string or an array of strings", input));
        }

        var list = new List<string>(input.GetArrayLength());
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                list.Add(item.GetString()!);
            }
            else if (item.ValueKind is JsonValueKind.Number or JsonValueKind.Array)
            {
                throw OpenAIJson.Fail(OpenAIError.Unprocessable("Token-array input is not supported by this server; send the text as strings.", "input", "unsupported_value"));
            }
            else
            {
                throw OpenAIJson.Fail(OpenAIError.InvalidType("input", "a string or an array of strings", item));
            }
        }

        if (list.Count == 0)
        {
            throw OpenAIJson.Fail(OpenAIError.BadRequest("Invalid 'input': empty array. Expected an array with minimum length 1.", "input", "empty_array"));
        }

        return list;
    }

    private static bool IsAbort(Exception ex, HttpContext context)
        => ex is OperationCanceledException && context.RequestAborted.IsCancellationRequested;

    private async Task FailAsync(HttpContext context, OpenAICaller? caller, Exception ex)
    {
        var error = OpenAIExceptionMapper.Map(ex, _time.GetUtcNow());
        if (ex is not OpenAIRequestException)
        {
            LogFailure(caller, error.Status, ex);
        }

        await error.WriteAsync(context.Response).ConfigureAwait(false);
    }

    private void LogFailure(OpenAICaller? caller, int status, Exception ex)
    {
        if (status >= 500)
        {
            LogServerFailure(_logger, status, caller?.ApiKeyId, caller?.TenantId, ex);
        }
        else if (_logger.IsEnabled(LogLevel.Information))
        {
            string exceptionType = ex.GetType().Name;
            LogRefusal(_logger, status, caller?.ApiKeyId, caller?.TenantId, exceptionType);
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Error, Message = "OpenAI-compatible endpoint answered {Status} (key {ApiKeyId}, tenant {TenantId})")]
    private static partial void LogServerFailure(ILogger logger, int status, string? apiKeyId, string? tenantId, Exception exception);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "OpenAI-compatible endpoint answered {Status} (key {ApiKeyId}, tenant {TenantId}): {ExceptionType}")]
    private static partial void LogRefusal(ILogger logger, int status, string? apiKeyId, string? tenantId, string exceptionType);
}
