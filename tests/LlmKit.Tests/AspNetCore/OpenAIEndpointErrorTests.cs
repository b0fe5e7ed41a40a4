using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.AspNetCore;

/// <summary>Every refusal: its documented status and OpenAI error body; the provider is not called and nothing is charged.</summary>
public sealed class OpenAIEndpointErrorTests
{
    private const string Hello = """{"model":"smart","messages":[{"role":"user","content":"Hi"}]}""";

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("sk-not-ours", "invalid_api_key")]
    [InlineData("llmk_0123456789abcdef_wrongsecret", "invalid_api_key")]
    [InlineData("llmk_NOTHEX", "invalid_api_key")]
    public async Task A_missing_or_wrong_key_gets_401_and_the_provider_is_not_called(string? key, string code)
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        await host.CreateKeyAsync();

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", Hello, key));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(0, host.Provider.CallCount);
    }

    [Fact]
    public async Task A_key_with_the_right_id_and_a_wrong_secret_is_refused_without_echoing_the_secret()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        string forged = key.Key[..^4] + (key.Key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, forged));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(forged[20..], body, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Key[22..], body, StringComparison.Ordinal);
        JsonShape.AssertMatches("error.json", body);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_on_the_next_request()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.ReturnsText("one");
        using (var first = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.True(await new ApiKeyIssuer(host.Services.GetRequiredService<IApiKeyStore>(), host.Time).RevokeAsync(key.Record.Id));
        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("revoked_api_key", error.GetProperty("code").GetString());
        Assert.Equal(1, host.Provider.CallCount);
        Assert.Equal(1, (await host.LedgerAsync()).Calls);
    }

    [Fact]
    public async Task An_expired_key_is_refused_once_the_clock_passes_its_expiry()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], ExpiresAfter = TimeSpan.FromDays(90) });
        host.Provider.ReturnsText("ok");
        host.Time.Advance(TimeSpan.FromDays(90) - TimeSpan.FromSeconds(1));
        using (var before = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("expired_api_key", error.GetProperty("code").GetString());
        Assert.Equal(1, host.Provider.CallCount);
    }

    [Fact]
    public async Task A_key_without_the_endpoints_scope_gets_403()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Embeddings] });

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("missing_scope", error.GetProperty("code").GetString());
        Assert.Equal(0, host.Provider.CallCount);
    }

    [Fact]
    public async Task A_model_outside_the_keys_allow_list_gets_403_and_nothing_is_charged()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], AllowedModels = ["cheap"] });

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("model_not_allowed", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Equal(0, host.Provider.CallCount);
        Assert.Equal(0, (await host.LedgerAsync()).Calls);
    }

    [Fact]
    public async Task An_unknown_model_gets_404_model_not_found()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"no-such-model","messages":[{"role":"user","content":"Hi"}]}""", key.Key));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal(0, host.Provider.CallCount);
    }

    [Theory]
    [InlineData("{\"model\":\"smart\",\"messages\":[", 400, "invalid_json", null)]
    [InlineData("[1,2]", 400, "invalid_json", null)]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", 400, "missing_required_parameter", "model")]
    [InlineData("""{"model":"smart","messages":[]}""", 400, "empty_array", "messages")]
    [InlineData("""{"model":"smart","messages":"Hi"}""", 400, "invalid_type", "messages")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"temperature":"hot"}""", 400, "invalid_type", "temperature")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"temperature":3}""", 400, "decimal_out_of_range", "temperature")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"max_tokens":0}""", 400, "integer_below_min_value", "max_tokens")]
    [InlineData("""{"model":"smart","messages":[{"role":"wizard","content":"Hi"}]}""", 400, "invalid_value", "messages[0].role")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":42}]}""", 400, "invalid_type", "messages[0].content")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"stream":"yes"}""", 400, "invalid_type", "stream")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"yaml"}}""", 400, "invalid_value", "response_format.type")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"n":2}""", 422, "unsupported_value", "n")]
    [InlineData("""{"model":"smart","messages":[{"role":"user","content":"Hi"}],"logprobs":true}""", 422, "unsupported_parameter", "logprobs")]
    public async Task Bad_input_gets_its_documented_status_code_and_param_and_reaches_no_provider(string body, int expectedStatus, string code, string? param)
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", body, key.Key));

        Assert.Equal(expectedStatus, (int)status);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(0, host.Provider.CallCount);
        Assert.Equal(0, (await host.LedgerAsync()).Calls);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored_as_OpenAI_compatible_servers_do()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.ReturnsText("fine");

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"Hi","x_extra":1}],"brand_new_option":{"a":[1]}}""", key.Key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, host.Provider.CallCount);
    }

    [Fact]
    public async Task A_body_over_the_keys_limit_gets_413_without_being_read_to_the_end()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], MaxRequestBodyBytes = 1024 });
        string big = $$"""{"model":"smart","messages":[{"role":"user","content":"{{new string('x', 4096)}}"}]}""";

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", big, key.Key));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("request_too_large", error.GetProperty("code").GetString());
        Assert.Equal(0, host.Provider.CallCount);
    }

    [Fact]
    public async Task A_chunked_body_over_the_host_limit_gets_413_too()
    {
        await using var host = await OpenAIEndpointHost.StartAsync(api => api.MaxRequestBodyBytes = 2048);
        var key = await host.CreateKeyAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"model":"smart","messages":[{"role":"user","content":"{{new string('y', 8192)}}"}]}"""))),
        };
        request.Headers.Authorization = new("Bearer", key.Key);
        request.Headers.TransferEncodingChunked = true;

        var (status, _) = await SendAsync(host, request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(0, host.Provider.CallCount);
    }

    [Fact]
    public async Task Message_count_and_max_tokens_caps_of_a_key_give_422()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], MaxMessages = 2, MaxOutputTokens = 100 });

        var (tooMany, manyError) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"1"},{"role":"user","content":"2"},{"role":"user","content":"3"}]}""", key.Key));
        var (tooLong, longError) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","max_tokens":101,"messages":[{"role":"user","content":"1"}]}""", key.Key));

        Assert.Equal((HttpStatusCode)422, tooMany);
        Assert.Equal("too_many_messages", manyError.GetProperty("code").GetString());
        Assert.Equal((HttpStatusCode)422, tooLong);
        Assert.Equal("max_tokens_above_cap", longError.GetProperty("code").GetString());
        Assert.Equal(0, host.Provider.CallCount);

        ChatOptionsSeen? seen = null;
        host.Provider.Responds((_, o) =>
        {
            seen = new ChatOptionsSeen(o?.MaxOutputTokens);
            return new Microsoft.Extensions.AI.ChatResponse(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, "ok"));
        });
        using var capped = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));
        Assert.Equal(HttpStatusCode.OK, capped.StatusCode);
        Assert.Equal(100, seen?.MaxOutputTokens);
    }

    [Theory]
    [MemberData(nameof(ProviderFailures))]
    public async Task Provider_failures_map_to_their_documented_status(Exception failure, int expectedStatus, string code)
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.Throws(failure);

        var (status, error) = await SendAsync(host, OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));

        Assert.Equal(expectedStatus, (int)status);
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    public static TheoryData<Exception, int, string> ProviderFailures() => new()
    {
        { new ProviderException("Upstream broke.", "scripted", HttpStatusCode.InternalServerError, LlmFailureKind.ServerError, isRetryable: false), 502, "provider_error" },
        { new ProviderException("Upstream overloaded.", "scripted", (HttpStatusCode)529, LlmFailureKind.Overloaded, isRetryable: false), 503, "provider_unavailable" },
        { new ProviderException("Upstream timed out.", "scripted", HttpStatusCode.GatewayTimeout, LlmFailureKind.Timeout, isRetryable: false), 504, "provider_timeout" },
        { new ProviderException("Upstream said the request is bad.", "scripted", HttpStatusCode.BadRequest, LlmFailureKind.BadRequest), 400, "provider_rejected_request" },
        { new ContextWindowExceededException("Too long for the model."), 400, "context_length_exceeded" },
        { new ContentBlockedException("Blocked by the input guard."), 400, "content_policy_violation" },
    };

    [Fact]
    public async Task A_provider_rate_limit_gets_429_with_the_providers_retry_after()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.Throws(new RateLimitedException("Slow down.", "scripted", TimeSpan.FromSeconds(7), isRetryable: false));

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_unexpected_exception_gets_500_without_its_message()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.Throws(new InvalidOperationException("secret internal detail"));

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret internal detail", body, StringComparison.Ordinal);
        JsonShape.AssertMatches("error.json", body);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Error)> SendAsync(OpenAIEndpointHost host, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await host.Http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            JsonShape.AssertMatches("error.json", body);
            return (response.StatusCode, JsonDocument.Parse(body).RootElement.GetProperty("error").Clone());
        }
    }

    private sealed record ChatOptionsSeen(int? MaxOutputTokens);
}
