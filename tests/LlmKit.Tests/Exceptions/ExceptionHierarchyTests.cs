using System.Net;

namespace LlmKit.Tests.Exceptions;

public class ExceptionHierarchyTests
{
    [Theory]
    [InlineData(429, LlmFailureKind.RateLimited, true)]
    [InlineData(503, LlmFailureKind.Overloaded, true)]
    [InlineData(529, LlmFailureKind.Overloaded, true)]
    [InlineData(500, LlmFailureKind.ServerError, true)]
    [InlineData(504, LlmFailureKind.Timeout, true)]
    [InlineData(401, LlmFailureKind.Authentication, false)]
    [InlineData(404, LlmFailureKind.NotFound, false)]
    [InlineData(400, LlmFailureKind.BadRequest, false)]
    public void ClassifyStatus_CommonCodes_MapToFailureKindAndRetryability(int status, LlmFailureKind kind, bool retryable)
    {
        var classified = ProviderException.ClassifyStatus((HttpStatusCode)status);

        Assert.Equal(kind, classified);
        Assert.Equal(retryable, new ProviderException("x", "p", (HttpStatusCode)status, classified).IsRetryable);
    }

    [Fact]
    public void RateLimitedException_QuotaExhausted_IsNotRetryableAndHasOwnKind()
    {
        var ex = new RateLimitedException("quota", "openai", TimeSpan.FromSeconds(3), isQuotaExhausted: true, providerErrorCode: "insufficient_quota", requestId: "req_1");

        Assert.False(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.QuotaExhausted, ex.FailureKind);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("req_1", ex.RequestId);
        Assert.IsAssignableFrom<LlmKitException>(ex);
    }

    [Fact]
    public void RateLimitedException_Transient_IsRetryableWithRetryAfter()
    {
        var ex = new RateLimitedException("slow down", "anthropic", TimeSpan.FromMilliseconds(1500));

        Assert.True(ex.IsRetryable);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), ex.RetryAfter);
        Assert.Equal(LlmFailureKind.RateLimited, ex.FailureKind);
    }

    [Fact]
    public void BudgetExceededException_Values_MessageSaysScopeRemainingAndReset()
    {
        var reset = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        var ex = new BudgetExceededException("monthly", BudgetScope.Tenant("acme"), BudgetUnit.Usd, 100m, 0.25m, 1.5m, reset);

        Assert.Contains("tenant 'acme'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0.25", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2026-12-01T00:00:00.0000000+00:00", ex.Message, StringComparison.Ordinal);
        Assert.Equal(LlmFailureKind.BudgetExceeded, ex.FailureKind);
    }

    [Fact]
    public void ContextWindowExceededException_Values_MessageNamesModelAndSizes()
    {
        var ex = new ContextWindowExceededException("gpt-4o", 130_000, 128_000);

        Assert.Contains("'gpt-4o'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("130000", ex.Message, StringComparison.Ordinal);
        Assert.Equal(LlmFailureKind.ContextWindowExceeded, ex.FailureKind);
    }

    [Fact]
    public void ConcurrencyConflictException_Versions_MessageSaysReload()
    {
        var ex = new ConcurrencyConflictException("conv-1", 3, 5);

        Assert.Contains("version 5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Reload", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultConstructors_EveryException_SaysWhatToDo()
    {
        LlmKitException[] all =
        [
            new ProviderException(), new RateLimitedException(), new BudgetExceededException(), new ContentBlockedException(),
            new ContextWindowExceededException(), new ResponseParseException(),
            new LlmKitConfigurationException(), new ModelNotFoundException(), new ConcurrencyConflictException(),
            new ProviderResponseFormatException(),
        ];

        Assert.All(all, e => Assert.True(e.Message.Length > 30, e.GetType().Name + ": " + e.Message));
        Assert.Equal(all.Length, all.Select(e => e.GetType()).Distinct().Count());
    }

    [Fact]
    public void ProviderResponseFormatException_Defaults_IsARetryableProviderExceptionOfKindInvalidResponse()
    {
        var ex = new ProviderResponseFormatException("bad body", "openai", System.Net.HttpStatusCode.OK, "choices", "{}");

        Assert.IsAssignableFrom<ProviderException>(ex);
        Assert.Equal(LlmFailureKind.InvalidResponse, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("choices", ex.Field);
        Assert.Equal("{}", ex.BodyExcerpt);
        Assert.Equal("openai", ex.Provider);
        Assert.Equal(System.Net.HttpStatusCode.OK, ex.StatusCode);
        Assert.False(new ProviderResponseFormatException("bad", null, null, null, null, isRetryable: false).IsRetryable);
    }
}
