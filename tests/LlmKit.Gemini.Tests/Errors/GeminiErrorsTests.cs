using System.Net;
using System.Text;
using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Gemini.Tests.Errors;

/// <summary>Every error shape Gemini sends, mapped to LlmKit's exceptions.</summary>
public sealed class GeminiErrorsTests
{
    private static async Task<Exception> FailAsync(FakeHttpHandler handler, GeminiClientOptions? options = null, TimeProvider? time = null)
    {
        using var client = TestClients.Chat(handler, options, time);
        return await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "Q")]));
    }

    private static Task<Exception> FailAsync(string fixture, HttpStatusCode status, Action<HttpResponseMessage>? configure = null, TimeProvider? time = null)
        => FailAsync(FakeHttpHandler.Fixture(fixture, status, configure: configure), time: time);

    [Fact]
    public async Task BadRequest_InvalidArgument_IsNotRetryableBadRequest()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/400-invalid-argument.json", HttpStatusCode.BadRequest));

        Assert.Equal(LlmFailureKind.BadRequest, ex.FailureKind);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", ex.ProviderErrorCode);
        Assert.Equal("gcp.gemini", ex.Provider);
        Assert.False(ex.IsRetryable);
        Assert.Contains("contents is not specified", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequest_ApiKeyInvalid_IsAuthentication()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/400-api-key-invalid.json", HttpStatusCode.BadRequest));

        Assert.Equal(LlmFailureKind.Authentication, ex.FailureKind);
        Assert.Equal("API_KEY_INVALID", ex.ProviderErrorCode);
        Assert.False(ex.IsRetryable);
        Assert.Contains("GEMINI_API_KEY", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("errors/401-unauthenticated.json", HttpStatusCode.Unauthorized)]
    [InlineData("errors/403-permission-denied.json", HttpStatusCode.Forbidden)]
    public async Task Unauthorized_Status_IsAuthentication(string fixture, HttpStatusCode status)
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(fixture, status));

        Assert.Equal(LlmFailureKind.Authentication, ex.FailureKind);
        Assert.Equal(status, ex.StatusCode);
    }

    [Fact]
    public async Task NotFound_UnknownModel_IsNotFound()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/404-not-found.json", HttpStatusCode.NotFound));

        Assert.Equal(LlmFailureKind.NotFound, ex.FailureKind);
        Assert.Equal("NOT_FOUND", ex.ProviderErrorCode);
        Assert.Contains("gemini-9-ultra", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_PerMinuteWithRetryInfo_IsRetryableWithTheRetryDelay()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-per-minute.json", HttpStatusCode.TooManyRequests));

        Assert.Equal(TimeSpan.FromSeconds(13), ex.RetryAfter);
        Assert.False(ex.IsQuotaExhausted);
        Assert.True(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.RateLimited, ex.FailureKind);
        Assert.Equal("RESOURCE_EXHAUSTED", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task RateLimit_RetryAfterMsHeader_WinsOverRetryInfo()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-per-minute.json", HttpStatusCode.TooManyRequests, r => r.Headers.TryAddWithoutValidation("retry-after-ms", "1500")));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), ex.RetryAfter);
    }

    [Fact]
    public async Task RateLimit_RetryAfterSecondsHeader_IsUsed()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-no-details.json", HttpStatusCode.TooManyRequests, r => r.Headers.TryAddWithoutValidation("Retry-After", "30")));

        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task RateLimit_RetryAfterHttpDate_IsMeasuredFromTheTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var ex = Assert.IsType<RateLimitedException>(await FailAsync(
            "errors/429-no-details.json",
            HttpStatusCode.TooManyRequests,
            r => r.Headers.TryAddWithoutValidation("Retry-After", "Sun, 01 Jun 2025 12:00:45 GMT"),
            time));

        Assert.Equal(TimeSpan.FromSeconds(45), ex.RetryAfter);
    }

    [Fact]
    public async Task RateLimit_PerDayQuotaFailure_IsQuotaExhaustedAndNotRetryable()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-per-day.json", HttpStatusCode.TooManyRequests));

        Assert.True(ex.IsQuotaExhausted);
        Assert.False(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.QuotaExhausted, ex.FailureKind);
        Assert.Contains("GenerateRequestsPerDayPerProjectPerModel-FreeTier", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_ZeroLimit_IsQuotaExhausted()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-zero-limit.json", HttpStatusCode.TooManyRequests));

        Assert.True(ex.IsQuotaExhausted);
        Assert.False(ex.IsRetryable);
        Assert.Equal("RATE_LIMIT_EXCEEDED", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task RateLimit_NoDetails_IsRetryableRateLimit()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-no-details.json", HttpStatusCode.TooManyRequests));

        Assert.False(ex.IsQuotaExhausted);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task RateLimit_QuotaTextWithoutQuotaDetails_IsQuotaExhausted()
    {
        var ex = Assert.IsType<RateLimitedException>(await FailAsync("errors/429-quota-message-only.json", HttpStatusCode.TooManyRequests));

        Assert.True(ex.IsQuotaExhausted);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task ServerError_500_IsRetryableServerError()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/500-internal.json", HttpStatusCode.InternalServerError));

        Assert.Equal(LlmFailureKind.ServerError, ex.FailureKind);
        Assert.Equal("INTERNAL", ex.ProviderErrorCode);
        Assert.True(ex.IsRetryable);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(529)]
    public async Task Overloaded_503And529_AreRetryableOverloaded(int status)
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/503-unavailable.json", (HttpStatusCode)status));

        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task ShouldRetryHeader_False_MakesA500NotRetryable()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/500-internal.json", HttpStatusCode.InternalServerError, r => r.Headers.TryAddWithoutValidation("x-should-retry", "false")));

        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task NonJsonBody_HtmlFromAProxy_UsesTheTextAndStatus()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync(FakeHttpHandler.Fixture("errors/502-html.html", HttpStatusCode.BadGateway, "text/html")));

        Assert.Equal(LlmFailureKind.ServerError, ex.FailureKind);
        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Contains("502", ex.Message, StringComparison.Ordinal);
        Assert.Contains("That", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContextLength_InputTokenCountExceeds_IsContextWindowExceeded()
    {
        var ex = Assert.IsType<ContextWindowExceededException>(await FailAsync("errors/400-context-length.json", HttpStatusCode.BadRequest));

        Assert.Equal("gcp.gemini", ex.Provider);
        Assert.Equal(LlmFailureKind.ContextWindowExceeded, ex.FailureKind);
        Assert.IsType<ProviderException>(ex.InnerException);
    }

    [Fact]
    public async Task ContentPolicy_BlockedPrompt_IsContentBlocked()
    {
        var ex = await FailAsync(FakeHttpHandler.Fixture("generate-blocked-prompt.json"));

        var blocked = Assert.IsType<ContentBlockedException>(ex);
        Assert.Equal(LlmFailureKind.ContentPolicy, blocked.FailureKind);
    }

    [Fact]
    public async Task Messages_KeyShapedTextAndConfiguredKey_AreMasked()
    {
        var ex = await FailAsync("errors/400-key-in-message.json", HttpStatusCode.BadRequest);
        Assert.DoesNotContain("AIzaSyD-THIS-IS-A-FAKE-KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[api key]", ex.Message, StringComparison.Ordinal);

        byte[] echo = Encoding.UTF8.GetBytes("{\"error\":{\"code\":400,\"message\":\"bad key " + TestClients.ApiKey + "\",\"status\":\"INVALID_ARGUMENT\"}}");
        var echoed = await FailAsync(FakeHttpHandler.Bytes(echo, HttpStatusCode.BadRequest));
        Assert.DoesNotContain(TestClients.ApiKey, echoed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestId_Header_IsKept()
    {
        var ex = Assert.IsType<ProviderException>(await FailAsync("errors/500-internal.json", HttpStatusCode.InternalServerError, r => r.Headers.TryAddWithoutValidation("x-request-id", "req-42")));

        Assert.Equal("req-42", ex.RequestId);
        Assert.Contains("req-42", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("13s", 13000)]
    [InlineData("0.250s", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData(" 2s ", 2000)]
    public void TryParseDuration_ProtobufDuration_IsParsed(string text, int milliseconds)
    {
        Assert.True(GeminiErrors.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3s")]
    [InlineData(null)]
    public void TryParseDuration_NotADuration_ReturnsFalse(string? text)
        => Assert.False(GeminiErrors.TryParseDuration(text, out _));

    [Fact]
    public void Parse_ArrayWrappedError_IsRead()
    {
        var body = GeminiErrors.Parse("""[{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}]"""u8);

        Assert.NotNull(body);
        Assert.Equal(503, body.HttpCode);
        Assert.Equal("UNAVAILABLE", body.Status);
        Assert.Equal("busy", body.Message);
    }
}
