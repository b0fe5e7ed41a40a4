using System.Net;
using System.Text;
using System.Text.Json;
using LlmKit.Anthropic.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Anthropic.Tests;

public class AnthropicChatClientTests
{
    private static readonly List<ChatMessage> Hello = [new(ChatRole.User, "Hello")];

    // ---- construction and services -------------------------------------------------------------

    [Fact]
    public void Ctor_NullOptions_Throws()
        => Assert.Throws<ArgumentNullException>(() => new AnthropicChatClient(null!));

    [Fact]
    public async Task Ctor_KeyMissingOrFromEnvironment_ThrowsNamingBothOrUsesVariable()
    {
        string? saved = Environment.GetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable, null);
            var ex = Assert.Throws<LlmKitConfigurationException>(() => new AnthropicChatClient(new AnthropicClientOptions()));
            Assert.Contains("AnthropicClientOptions.ApiKey", ex.Message, StringComparison.Ordinal);
            Assert.Contains("ANTHROPIC_API_KEY", ex.Message, StringComparison.Ordinal);
            Assert.Contains("ANTHROPIC_API_KEY", ex.Keys);

            Environment.SetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable, "sk-ant-from-environment-0001");
            var handler = FakeAnthropicHandler.Json("message-text.json");
            using var client = new AnthropicChatClient(new AnthropicClientOptions { DefaultModel = "claude-haiku-4-5" }, new HttpClient(handler));
            await client.GetResponseAsync(Hello);
            Assert.Equal("sk-ant-from-environment-0001", handler.Last.Header("x-api-key"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable, saved);
        }
    }

    [Theory]
    [InlineData(0, "2023-06-01", "https://api.anthropic.com/", "DefaultMaxOutputTokens")]
    [InlineData(100, "", "https://api.anthropic.com/", "AnthropicVersion")]
    [InlineData(100, "2023-06-01", "ftp://example.com/", "BaseUrl")]
    public void Ctor_InvalidSetting_ThrowsNamingIt(int maxTokens, string version, string baseUrl, string setting)
    {
        var options = new AnthropicClientOptions { ApiKey = TestClients.ApiKey, DefaultMaxOutputTokens = maxTokens, AnthropicVersion = version, BaseUrl = new Uri(baseUrl) };

        var ex = Assert.Throws<LlmKitConfigurationException>(() => new AnthropicChatClient(options));

        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetService_Metadata_ProviderAddressAndDefaultModel()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-text.json"));

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("anthropic", metadata.ProviderName);
        Assert.Equal(TestClients.BaseUrl, metadata.ProviderUri);
        Assert.Equal("claude-sonnet-4-6", metadata.DefaultModelId);
    }

    [Fact]
    public void GetService_KnownAndUnknownServices_Resolved()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-text.json"));

        Assert.Same(client, client.GetService<AnthropicChatClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        var counter = client.GetService<IExactTokenCounter>();
        Assert.IsType<AnthropicTokenCounter>(counter);
        Assert.Same(counter, client.GetService<AnthropicTokenCounter>());
        Assert.Null(client.GetService<ChatClientMetadata>("key"));
        Assert.Null(client.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Null(client.GetService(typeof(string)));
    }

    [Fact]
    public async Task Dispose_InjectedHttpClient_StaysUsable()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        var http = new HttpClient(handler) { BaseAddress = TestClients.BaseUrl };
        var client = new AnthropicChatClient(new AnthropicClientOptions { ApiKey = TestClients.ApiKey, DefaultModel = "m" }, http);

        client.Dispose();
        using var response = await http.GetAsync(new Uri("/anything", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ---- requests --------------------------------------------------------------------------------

    [Fact]
    public async Task GetResponseAsync_Request_PostsToMessagesWithHeaders()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        using var client = TestClients.Create(handler, o => o.Headers["anthropic-beta"] = "files-api-2025-04-14");

        await client.GetResponseAsync(Hello);

        var request = handler.Last;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.test.example/v1/messages", request.Uri.AbsoluteUri);
        Assert.Equal(TestClients.ApiKey, request.Header("x-api-key"));
        Assert.Equal("2023-06-01", request.Header("anthropic-version"));
        Assert.Equal("files-api-2025-04-14", request.Header("anthropic-beta"));
        Assert.Equal("application/json", request.Header("accept"));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Null(request.Header("authorization"));
        Assert.Equal("claude-sonnet-4-6", request.Json.GetProperty("model").GetString());
        Assert.False(request.Json.TryGetProperty("stream", out _));
    }

    [Theory]
    [InlineData("https://proxy.example/anthropic", "https://proxy.example/anthropic/v1/messages")]
    [InlineData("https://proxy.example/anthropic/v1/", "https://proxy.example/anthropic/v1/messages")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/messages")]
    public async Task GetResponseAsync_BaseUrl_MessagesUnderV1(string baseUrl, string expected)
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        using var client = TestClients.Create(handler, o => o.BaseUrl = new Uri(baseUrl));

        await client.GetResponseAsync(Hello);

        Assert.Equal(expected, handler.Last.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task GetResponseAsync_VersionOptionAndModelId_Sent()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        using var client = TestClients.Create(handler, o => o.AnthropicVersion = "2099-01-01");

        await client.GetResponseAsync(Hello, new ChatOptions { ModelId = "claude-opus-4-7" });

        Assert.Equal("2099-01-01", handler.Last.Header("anthropic-version"));
        Assert.Equal("claude-opus-4-7", handler.Last.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_MaxTokens_FromCallThenRegistryThenDefault()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        var registry = new OneModelRegistry("claude-sonnet-4-6", 64000);
        using var client = TestClients.Create(handler, o => o.DefaultMaxOutputTokens = 777, registry: registry);

        await client.GetResponseAsync(Hello, new ChatOptions { MaxOutputTokens = 50 });
        int fromCall = handler.Last.Json.GetProperty("max_tokens").GetInt32();
        await client.GetResponseAsync(Hello);
        int fromRegistry = handler.Last.Json.GetProperty("max_tokens").GetInt32();
        await client.GetResponseAsync(Hello, new ChatOptions { ModelId = "claude-unknown" });
        int fromDefault = handler.Last.Json.GetProperty("max_tokens").GetInt32();

        Assert.Equal(50, fromCall);
        Assert.Equal(64000, fromRegistry);
        Assert.Equal(777, fromDefault);
    }

    [Fact]
    public async Task GetResponseAsync_NoRegistryNoOption_DocumentedDefault4096()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        using var client = TestClients.Create(handler);

        await client.GetResponseAsync(Hello);

        Assert.Equal(4096, handler.Last.Json.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task GetResponseAsync_NoModelAnywhere_ThrowsConfiguration()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        using var client = TestClients.Create(handler, o => o.DefaultModel = null);

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => client.GetResponseAsync(Hello));

        Assert.Contains("DefaultModel", ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    // ---- non-streaming responses -----------------------------------------------------------------

    [Fact]
    public async Task GetResponseAsync_Text_MapsIdModelTextFinishAndUsage()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-text.json"));

        var response = await client.GetResponseAsync(Hello);

        Assert.Equal("msg_01XFDUDYJgAACzvnptvVoYEL", response.ResponseId);
        Assert.Equal("claude-sonnet-4-5-20250929", response.ModelId);
        Assert.Equal("Hello! How can I help you today?", response.Text);
        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal("msg_01XFDUDYJgAACzvnptvVoYEL", message.MessageId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("end_turn", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        Assert.Equal(12, response.Usage!.InputTokenCount);
        Assert.Equal(10, response.Usage.OutputTokenCount);
        Assert.Equal(22, response.Usage.TotalTokenCount);
        Assert.Equal(0, response.Usage.CachedInputTokenCount);
        Assert.Null(response.Usage.AdditionalCounts);
    }

    [Fact]
    public async Task GetResponseAsync_ParallelToolUse_FunctionCallsWithJsonElementArguments()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-tool-use.json"));

        var response = await client.GetResponseAsync(Hello);

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var contents = response.Messages[0].Contents;
        Assert.Equal("I'll check the weather in both cities.", Assert.IsType<TextContent>(contents[0]).Text);
        var first = Assert.IsType<FunctionCallContent>(contents[1]);
        var second = Assert.IsType<FunctionCallContent>(contents[2]);
        Assert.Equal("toolu_01A09q90qw90lq917835lq9", first.CallId);
        Assert.Equal("get_weather", first.Name);
        Assert.Equal("San Francisco, CA", ((JsonElement)first.Arguments!["location"]!).GetString());
        Assert.Equal(3, ((JsonElement)second.Arguments!["days"]!).GetInt32());
        Assert.True(((JsonElement)second.Arguments!["detailed"]!).GetBoolean());
        Assert.Null(first.Exception);
    }

    [Fact]
    public async Task GetResponseAsync_Thinking_SignatureInProtectedDataAndRedactedKeptOpaque()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-thinking-tool-use.json"));

        var response = await client.GetResponseAsync(Hello);

        var contents = response.Messages[0].Contents;
        var thinking = Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.Equal("The user wants the weather. I should call the tool.", thinking.Text);
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.ProtectedData);
        var redacted = Assert.IsType<TextReasoningContent>(contents[1]);
        Assert.Equal(string.Empty, redacted.Text);
        Assert.Equal("EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP", redacted.ProtectedData);
        Assert.Equal(true, redacted.AdditionalProperties![AnthropicPropertyNames.RedactedThinking]);
        Assert.IsType<FunctionCallContent>(contents[2]);
    }

    [Fact]
    public async Task GetResponseAsync_ThinkingAndToolUseConversation_SentBackUnchanged()
    {
        var handler = new FakeAnthropicHandler((_, n) => FakeAnthropicHandler.Respond(
            Fixtures.Read(n == 0 ? "message-thinking-tool-use.json" : "message-text.json"), "application/json", HttpStatusCode.OK, null));
        using var client = TestClients.Create(handler);
        var original = JsonDocument.Parse(Fixtures.Read("message-thinking-tool-use.json")).RootElement.GetProperty("content");
        List<ChatMessage> conversation = [new(ChatRole.User, "Weather in Paris?")];

        var first = await client.GetResponseAsync(conversation, new ChatOptions { ModelId = "claude-opus-4-6" });
        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01Think", "18 C and sunny")]));
        await client.GetResponseAsync(conversation, new ChatOptions { ModelId = "claude-opus-4-6" });

        var messages = handler.Last.Json.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        var sent = messages[1].GetProperty("content");
        Assert.Equal(original.GetArrayLength(), sent.GetArrayLength());
        for (int i = 0; i < original.GetArrayLength(); i++)
        {
            Assert.True(JsonElement.DeepEquals(original[i], sent[i]), $"block {i}: {sent[i]} differs from {original[i]}");
        }

        Assert.Equal("tool_result", messages[2].GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("toolu_01Think", messages[2].GetProperty("content")[0].GetProperty("tool_use_id").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_CacheUsage_InputIncludesCacheReadsAndWrites()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-cache-usage.json"));

        var usage = (await client.GetResponseAsync(Hello)).Usage!;

        Assert.Equal(21 + 1000 + 188086, usage.InputTokenCount);
        Assert.Equal(1000, usage.CachedInputTokenCount);
        Assert.Equal(393, usage.OutputTokenCount);
        Assert.Equal(21 + 1000 + 188086 + 393, usage.TotalTokenCount);
        Assert.Equal(188086, usage.AdditionalCounts![LlmUsageKeys.CacheWriteInputTokens]);
        Assert.Equal(100000, usage.AdditionalCounts[LlmUsageKeys.CacheWrite1HourInputTokens]);
        Assert.Equal(2, usage.AdditionalCounts[AnthropicUsage.WebSearchRequestsKey]);
    }

    [Theory]
    [InlineData("message-refusal.json", "refusal", "content_filter")]
    [InlineData("message-max-tokens.json", "max_tokens", "length")]
    [InlineData("message-stop-sequence.json", "stop_sequence", "stop")]
    [InlineData("message-pause-turn.json", "pause_turn", "stop")]
    [InlineData("message-unknown.json", "some_future_reason", "stop")]
    public async Task GetResponseAsync_StopReasons_NormalisedWithRawKept(string fixture, string raw, string expected)
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json(fixture));

        var response = await client.GetResponseAsync(Hello);

        Assert.Equal(new ChatFinishReason(expected), response.FinishReason);
        Assert.Equal(raw, response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
    }

    [Fact]
    public async Task GetResponseAsync_StopSequence_KeptInAdditionalProperties()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-stop-sequence.json"));

        var response = await client.GetResponseAsync(Hello);

        Assert.Equal("three", response.AdditionalProperties![AnthropicPropertyNames.StopSequence]);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownBlocksAndFields_KeptRawAndSentBack()
    {
        var handler = FakeAnthropicHandler.Json("message-unknown.json");
        using var client = TestClients.Create(handler);

        var response = await client.GetResponseAsync(Hello);

        var contents = response.Messages[0].Contents;
        Assert.Equal(4, contents.Count);
        var serverTool = (JsonElement)contents[0].RawRepresentation!;
        Assert.Equal("server_tool_use", serverTool.GetProperty("type").GetString());
        Assert.Equal("web_search_tool_result", ((JsonElement)contents[1].RawRepresentation!).GetProperty("type").GetString());
        Assert.Equal("Claude Shannon was born on April 30, 1916.", Assert.IsType<TextContent>(contents[2]).Text);
        Assert.Equal("some_future_block", ((JsonElement)contents[3].RawRepresentation!).GetProperty("type").GetString());
        Assert.Equal(1, response.Usage!.AdditionalCounts![AnthropicUsage.WebSearchRequestsKey]);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Q"), .. response.Messages, new ChatMessage(ChatRole.User, "More")]);
        var sent = handler.Last.Json.GetProperty("messages")[1].GetProperty("content");
        Assert.Equal("server_tool_use", sent[0].GetProperty("type").GetString());
        Assert.Equal("claude shannon birth date", sent[0].GetProperty("input").GetProperty("query").GetString());
        Assert.Equal("web_search_tool_result", sent[1].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"id\": \"msg_1\", \"content\": [")]
    [InlineData("[1,2,3]")]
    [InlineData("{}")]
    public async Task GetResponseAsync_UnreadableBody_ThrowsProviderResponseFormatException(string body)
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Bytes(Encoding.UTF8.GetBytes(body), "application/json"));

        var ex = await Assert.ThrowsAsync<ProviderResponseFormatException>(() => client.GetResponseAsync(Hello));

        Assert.Equal("anthropic", ex.Provider);
        Assert.Equal(LlmFailureKind.InvalidResponse, ex.FailureKind);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorBodyWithStatus200_ThrowsRetryableProviderResponseFormatExceptionWithTheErrorType()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-overloaded.json"));

        // A 200 must carry a message; an error body with it is a malformed success (worth another deployment).
        var ex = await Assert.ThrowsAsync<ProviderResponseFormatException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.InvalidResponse, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("error", ex.Field);
        Assert.Equal("overloaded_error", ex.ProviderErrorCode);
    }

    // ---- HTTP errors -----------------------------------------------------------------------------

    public static TheoryData<int, string, LlmFailureKind, bool, string> HttpErrors => new()
    {
        { 400, "error-invalid-request.json", LlmFailureKind.BadRequest, false, "invalid_request_error" },
        { 401, "error-authentication.json", LlmFailureKind.Authentication, false, "authentication_error" },
        { 403, "error-authentication.json", LlmFailureKind.Authentication, false, "authentication_error" },
        { 404, "error-not-found.json", LlmFailureKind.NotFound, false, "not_found_error" },
        { 500, "error-api.json", LlmFailureKind.ServerError, true, "api_error" },
        { 503, "error-overloaded.json", LlmFailureKind.Overloaded, true, "overloaded_error" },
        { 529, "error-overloaded.json", LlmFailureKind.Overloaded, true, "overloaded_error" },
    };

    [Theory]
    [MemberData(nameof(HttpErrors))]
    public async Task GetResponseAsync_HttpError_MappedWithCodeAndRequestId(int status, string fixture, LlmFailureKind kind, bool retryable, string code)
    {
        var handler = FakeAnthropicHandler.Json(fixture, (HttpStatusCode)status, h => h.Add("request-id", "req_from_header"));
        using var client = TestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(kind, ex.FailureKind);
        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.Equal(retryable, ex.IsRetryable);
        Assert.Equal(code, ex.ProviderErrorCode);
        Assert.Equal("req_from_header", ex.RequestId);
        Assert.Equal("anthropic", ex.Provider);
        Assert.Contains("req_from_header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitWithRetryAfterMs_RateLimitedWithDelay()
    {
        var handler = FakeAnthropicHandler.Json("error-rate-limit.json", HttpStatusCode.TooManyRequests, h =>
        {
            h.Add("retry-after-ms", "1500");
            h.Add("retry-after", "9");
        });
        using var client = TestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), ex.RetryAfter);
        Assert.False(ex.IsQuotaExhausted);
        Assert.True(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.RateLimited, ex.FailureKind);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitWithRetryAfterSeconds_RateLimitedWithDelay()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-rate-limit.json", HttpStatusCode.TooManyRequests, h => h.Add("retry-after", "12")));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(TimeSpan.FromSeconds(12), ex.RetryAfter);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitWithRetryAfterDate_DelayFromInjectedClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        var handler = FakeAnthropicHandler.Json("error-rate-limit.json", HttpStatusCode.TooManyRequests, h => h.TryAddWithoutValidation("retry-after", "Sun, 22 Nov 2026 10:00:45 GMT"));
        using var client = TestClients.Create(handler, timeProvider: time);

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(TimeSpan.FromSeconds(45), ex.RetryAfter);
    }

    [Fact]
    public async Task GetResponseAsync_QuotaExhausted429_NotRetryable()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-quota.json", HttpStatusCode.TooManyRequests, h => h.Add("retry-after", "30")));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello));

        Assert.True(ex.IsQuotaExhausted);
        Assert.False(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.QuotaExhausted, ex.FailureKind);
    }

    [Theory]
    [InlineData("false", 500, false)]
    [InlineData("true", 400, true)]
    public async Task GetResponseAsync_XShouldRetry_Honoured(string header, int status, bool expected)
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-api.json", (HttpStatusCode)status, h => h.Add("x-should-retry", header)));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(expected, ex.IsRetryable);
    }

    [Fact]
    public async Task GetResponseAsync_NonJsonErrorBody_MessageFromText()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Bytes(Fixtures.Read("error-html.html"), "text/html", HttpStatusCode.BadGateway));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.ServerError, ex.FailureKind);
        Assert.Contains("502 Bad Gateway", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_PromptTooLong_ContextWindowExceeded()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-context-length.json", HttpStatusCode.BadRequest));

        var ex = await Assert.ThrowsAsync<ContextWindowExceededException>(() => client.GetResponseAsync(Hello));

        Assert.Equal("anthropic", ex.Provider);
        Assert.Equal(LlmFailureKind.ContextWindowExceeded, ex.FailureKind);
        Assert.Contains("208310", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ContentFilteringPolicy_ContentBlocked()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-content-policy.json", HttpStatusCode.BadRequest));

        var ex = await Assert.ThrowsAsync<ContentBlockedException>(() => client.GetResponseAsync(Hello));

        Assert.Equal("anthropic", ex.BlockedBy);
        Assert.Equal(LlmFailureKind.ContentPolicy, ex.FailureKind);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorEchoesKeys_KeysMasked()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-key-echo.json", HttpStatusCode.Unauthorized), o => o.ApiKey = "sk-ant-api03-secretsecretsecret");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.DoesNotContain("secretsecret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[api key]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ConnectionFails_NetworkProviderException()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Throws(new HttpRequestException("Connection refused")));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task GetResponseAsync_HttpClientTimeout_TimeoutProviderException()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Throws(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout")));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_OperationCanceled()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("message-text.json"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Hello, cancellationToken: cts.Token));
    }

    // ---- streaming -------------------------------------------------------------------------------

    [Fact]
    public async Task GetStreamingResponseAsync_Request_StreamTrueAndAcceptEventStream()
    {
        var handler = FakeAnthropicHandler.Sse("stream-text.sse");
        using var client = TestClients.Create(handler);

        await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.True(handler.Last.Json.GetProperty("stream").GetBoolean());
        Assert.Equal("text/event-stream", handler.Last.Header("accept"));
        Assert.Equal("https://api.test.example/v1/messages", handler.Last.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_DeltasThenOneFinalUpdateWithUsage()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-text.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal(3, updates.Count);
        Assert.Equal("Hello", updates[0].Text);
        Assert.Equal("! \u00e9\"quoted\"", updates[1].Text);
        Assert.All(updates, u =>
        {
            Assert.Equal("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", u.ResponseId);
            Assert.Equal("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", u.MessageId);
            Assert.Equal("claude-sonnet-4-5-20250929", u.ModelId);
            Assert.Equal(ChatRole.Assistant, u.Role);
        });
        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Stop, last.FinishReason);
        Assert.Equal("end_turn", last.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        var usage = Assert.IsType<UsageContent>(Assert.Single(last.Contents)).Details;
        Assert.Equal(25, usage.InputTokenCount);
        Assert.Equal(15, usage.OutputTokenCount);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());

        var response = updates.ToChatResponse();
        Assert.Equal("Hello! \u00e9\"quoted\"", response.Text);
        Assert.Equal(40, response.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InterleavedToolUseDeltas_AccumulatedByIndex()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-tool-use.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal("toolu_01T1x1fJ34qAmk2tNTrN7Up6", calls[0].CallId);
        Assert.Equal("get_weather", calls[0].Name);
        Assert.Equal("San Francisco, CA", ((JsonElement)calls[0].Arguments!["location"]!).GetString());
        Assert.Equal(2, ((JsonElement)calls[0].Arguments!["days"]!).GetInt32());
        Assert.Equal("get_time", calls[1].Name);
        Assert.Equal("Europe/Paris", ((JsonElement)calls[1].Arguments!["zone"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(472, usage.InputTokenCount);
        Assert.Equal(89, usage.OutputTokenCount);
        Assert.Equal("Checking both cities.", updates[0].Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Thinking_CoalescesWithSignatureAndRoundTrips()
    {
        var handler = new FakeAnthropicHandler((_, n) => FakeAnthropicHandler.Respond(
            Fixtures.Read(n == 0 ? "stream-thinking.sse" : "stream-text.sse"), "text/event-stream", HttpStatusCode.OK, null));
        using var client = TestClients.Create(handler);
        List<ChatMessage> conversation = [new(ChatRole.User, "Weather?")];

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(conversation));
        var response = updates.ToChatResponse();

        var contents = response.Messages.Single().Contents;
        var thinking = Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.Equal("I need to find the weather first.", thinking.Text);
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.ProtectedData);
        var redacted = Assert.IsType<TextReasoningContent>(contents[1]);
        Assert.Equal("EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP", redacted.ProtectedData);
        Assert.Equal(true, redacted.AdditionalProperties![AnthropicPropertyNames.RedactedThinking]);
        Assert.Equal("Paris", ((JsonElement)Assert.IsType<FunctionCallContent>(contents[2]).Arguments!["location"]!).GetString());

        conversation.AddRange(response.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01Think", "sunny")]));
        await TestClients.CollectAsync(client.GetStreamingResponseAsync(conversation));

        var sent = handler.Last.Json.GetProperty("messages")[1].GetProperty("content");
        Assert.Equal("thinking", sent[0].GetProperty("type").GetString());
        Assert.Equal("I need to find the weather first.", sent[0].GetProperty("thinking").GetString());
        Assert.Equal("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", sent[0].GetProperty("signature").GetString());
        Assert.Equal("redacted_thinking", sent[1].GetProperty("type").GetString());
        Assert.Equal("tool_use", sent[2].GetProperty("type").GetString());
        Assert.Equal("Paris", sent[2].GetProperty("input").GetProperty("location").GetString());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolJsonCutAtMaxTokens_RawKeptAndLengthWithoutThrowing()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-max-tokens.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("toolu_cut", call.CallId);
        Assert.Null(call.Arguments);
        Assert.IsType<ResponseParseException>(call.Exception);
        Assert.Equal("{\"path\": \"notes.txt\", \"content\": \"Once upon a ti", call.AdditionalProperties![AnthropicPropertyNames.RawArguments]);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Equal("max_tokens", updates[^1].AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Refusal_ContentFilter()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-refusal.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal(ChatFinishReason.ContentFilter, updates[^1].FinishReason);
        Assert.Equal("I can't", updates[0].Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CacheUsage_CumulativeNotDoubleCounted()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-cache-usage.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(21 + 2000 + 5000, usage.InputTokenCount);
        Assert.Equal(5000, usage.CachedInputTokenCount);
        Assert.Equal(42, usage.OutputTokenCount);
        Assert.Equal(2000, usage.AdditionalCounts![LlmUsageKeys.CacheWriteInputTokens]);
        Assert.Equal(1500, usage.AdditionalCounts[LlmUsageKeys.CacheWrite1HourInputTokens]);
        Assert.Equal(21 + 2000 + 5000 + 42, updates.ToChatResponse().Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UnknownEventsBlocksAndStopReason_NoThrow()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-unknown.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var raw = (JsonElement)updates.SelectMany(u => u.Contents).Single(c => c.GetType() == typeof(AIContent)).RawRepresentation!;
        Assert.Equal("server_tool_use", raw.GetProperty("type").GetString());
        Assert.Equal("srvtoolu_014", raw.GetProperty("id").GetString());
        Assert.Equal("weather Paris", raw.GetProperty("input").GetProperty("query").GetString());
        Assert.Equal("It is sunny.", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal("some_future_reason", updates[^1].AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoEventLinesAndCrlf_TypeReadFromData()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-no-event-lines.sse"));

        var updates = await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal("CRLF and no event lines", updates[0].Text);
        Assert.Equal("msg_noevent", updates[0].ResponseId);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(5, Assert.IsType<UsageContent>(updates[^1].Contents.Single()).Details.OutputTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MidStreamOverloaded_ThrowsAfterDeliveredText()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-error.sse", h => h.Add("request-id", "req_stream")));
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Hello))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["Partial"], received);
        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("overloaded_error", ex.ProviderErrorCode);
        Assert.Equal("req_stream", ex.RequestId);
        Assert.Contains("middle of the stream", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MidStreamApiError_RetryableServerError()
    {
        byte[] body = Encoding.UTF8.GetBytes("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}\n\n");
        using var client = TestClients.Create(FakeAnthropicHandler.Bytes(body, "text/event-stream"));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello)));

        Assert.Equal(LlmFailureKind.ServerError, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("api_error", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MidStreamRateLimit_RateLimitedException()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-error-rate-limit.sse"));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello)));

        Assert.Equal("rate_limit_error", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamEndsWithoutStop_NetworkFailure()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-cut.sse"));
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Hello))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["Half an ans"], received);
        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDropsMidStream_NetworkFailure()
    {
        byte[] head = Fixtures.Read("stream-text.sse")[..600];
        using var client = TestClients.Create(FakeAnthropicHandler.Stream(() => new FailingStream(head)));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello)));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.IsType<IOException>(ex.InnerException);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_HttpError_ThrowsBeforeAnyUpdate()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-overloaded.json", (HttpStatusCode)529));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello)));

        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.Equal((HttpStatusCode)529, ex.StatusCode);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerCancelsMidStream_OperationCanceled()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Sse("stream-text.sse"));
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Hello, cancellationToken: cts.Token))
            {
                await cts.CancelAsync();
            }
        });
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InvalidEventJson_ProviderResponseFormatException()
    {
        byte[] body = Encoding.UTF8.GetBytes("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"text\":\n\n");
        using var client = TestClients.Create(FakeAnthropicHandler.Bytes(body, "text/event-stream"));

        var ex = await Assert.ThrowsAsync<ProviderResponseFormatException>(() => TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello)));

        Assert.Equal("anthropic", ex.Provider);
    }

    /// <summary>Returns some bytes, then fails the way a dropped connection does.</summary>
    private sealed class FailingStream(byte[] head) : MemoryStream(head)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Position < Length ? base.ReadAsync(buffer, cancellationToken) : throw new IOException("The connection was reset.");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Position < Length ? base.ReadAsync(buffer, offset, count, cancellationToken) : throw new IOException("The connection was reset.");
    }
}
