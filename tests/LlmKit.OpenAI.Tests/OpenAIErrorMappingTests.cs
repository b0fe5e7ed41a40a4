using System.Net;
using LlmKit.OpenAI.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests;

public class OpenAIErrorMappingTests
{
    private const string Key = "sk-proj-SECRETSECRETSECRET0123456789";

    private static async Task<Exception> FailAsync(HttpStatusCode status, string body, string contentType = "application/json", params (string, string)[] headers)
    {
        var handler = new FakeHttpHandler().Respond(status, body, contentType, headers);
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { ApiKey = Key, DefaultModel = "gpt-4o" }, new HttpClient(handler));
        return await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public async Task RateLimit_RetryAfterMs_IsRetryableWithPreciseWait()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync(HttpStatusCode.TooManyRequests, Fixture("error-rate-limit.json"), "application/json", ("retry-after-ms", "1250"), ("retry-after", "2"), ("x-request-id", "req_42")));

        Assert.Equal(TimeSpan.FromMilliseconds(1250), ex.RetryAfter);
        Assert.True(ex.IsRetryable);
        Assert.False(ex.IsQuotaExhausted);
        Assert.Equal("rate_limit_exceeded", ex.ProviderErrorCode);
        Assert.Equal("req_42", ex.RequestId);
        Assert.Equal("openai", ex.Provider);
        Assert.Contains("req_42", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_RetryAfterSeconds_IsParsed()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync(HttpStatusCode.TooManyRequests, Fixture("error-rate-limit.json"), "application/json", ("retry-after", "7")));

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
    }

    [Fact]
    public async Task RateLimit_RetryAfterHttpDate_IsParsedRelativeToNow()
    {
        string date = DateTimeOffset.UtcNow.AddSeconds(30).ToString("r", System.Globalization.CultureInfo.InvariantCulture);

        var ex = Assert.IsType<RateLimitedException>(await FailAsync(HttpStatusCode.TooManyRequests, Fixture("error-rate-limit.json"), "application/json", ("retry-after", date)));

        Assert.InRange(ex.RetryAfter!.Value.TotalSeconds, 20, 31);
    }

    [Fact]
    public async Task QuotaExhausted429_IsNotRetryable()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync(HttpStatusCode.TooManyRequests, Fixture("error-quota.json"), "application/json", ("retry-after", "1")));

        Assert.True(ex.IsQuotaExhausted);
        Assert.False(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.QuotaExhausted, ex.FailureKind);
    }

    [Fact]
    public async Task ContextLength400_IsContextWindowExceededWithProviderInner()
    {
        var ex = Assert.IsType<ContextWindowExceededException>(await FailAsync(HttpStatusCode.BadRequest, Fixture("error-context-length.json")));

        var inner = Assert.IsType<ProviderException>(ex.InnerException);
        Assert.Equal(HttpStatusCode.BadRequest, inner.StatusCode);
        Assert.Equal("context_length_exceeded", inner.ProviderErrorCode);
        Assert.Equal("openai", ex.Provider);
    }

    [Fact]
    public async Task ContentFilter400_IsContentBlocked()
    {
        var ex = Assert.IsType<ContentBlockedException>(await FailAsync(HttpStatusCode.BadRequest, Fixture("error-content-policy.json")));

        Assert.Equal("openai", ex.BlockedBy);
        Assert.Equal(["content_filter"], ex.FindingTypes);
    }

    [Fact]
    public async Task InvalidKey401_IsAuthenticationAndMasksTheKey()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(HttpStatusCode.Unauthorized, Fixture("error-invalid-key.json").Replace("sk-proj-********************************abcd", Key, StringComparison.Ordinal)));

        Assert.Equal(LlmFailureKind.Authentication, ex.FailureKind);
        Assert.False(ex.IsRetryable);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("[api key]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotFound404_SaysToCheckTheModel()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(HttpStatusCode.NotFound, Fixture("error-not-found.json")));

        Assert.Equal(LlmFailureKind.NotFound, ex.FailureKind);
        Assert.Equal("model_not_found", ex.ProviderErrorCode);
        Assert.Contains("model", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(500, LlmFailureKind.ServerError)]
    [InlineData(502, LlmFailureKind.ServerError)]
    [InlineData(503, LlmFailureKind.Overloaded)]
    [InlineData(529, LlmFailureKind.Overloaded)]
    public async Task ServerErrors_AreRetryable(int status, LlmFailureKind kind)
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync((HttpStatusCode)status, """{"error":{"message":"boom","type":"server_error"}}"""));

        Assert.Equal(kind, ex.FailureKind);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task XShouldRetryFalse_OverridesRetryability()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(HttpStatusCode.InternalServerError, """{"error":{"message":"boom"}}""", "application/json", ("x-should-retry", "false")));

        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task NonJsonErrorBody_IsQuotedWhateverItsContentType()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(HttpStatusCode.BadGateway, "<html><body>Bad gateway from proxy</body></html>", "text/html"));

        Assert.Contains("Bad gateway from proxy", ex.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
    }

    [Fact]
    public async Task JsonErrorWithWrongContentType_IsStillParsed()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(HttpStatusCode.BadRequest, """{"error":{"message":"Invalid 'messages'","type":"invalid_request_error","code":"invalid_value"}}""", "text/plain"));

        Assert.Equal("invalid_value", ex.ProviderErrorCode);
        Assert.Equal(LlmFailureKind.BadRequest, ex.FailureKind);
    }

    [Fact]
    public async Task OllamaStyleStringError_IsParsed()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(HttpStatusCode.NotFound, """{"error":"model \"llama9\" not found, try pulling it first"}"""));

        Assert.Contains("try pulling it first", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_IsNetworkFailure()
    {
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { Profile = OpenAICompatibilityProfile.Vllm, BaseUrl = new Uri("http://127.0.0.1:1/v1/"), DefaultModel = "m" });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.Contains("127.0.0.1:1", ex.Message, StringComparison.Ordinal);
    }
}
