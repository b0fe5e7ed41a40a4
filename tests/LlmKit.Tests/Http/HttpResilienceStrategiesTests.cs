using System.Globalization;
using System.Net;
using System.Text;
using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;

namespace LlmKit.Tests.Http;

public class HttpResilienceStrategiesTests
{
    private static readonly Uri Endpoint = new("https://api.example.test/v1/chat/completions");

    // A real-time safety net for calls that must finish without the fake clock moving; never an assertion on duration.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    // The handler as a host adds it: a named client of IHttpClientFactory with AddLlmKitResilienceHandler, on the fake clock.
    private static HttpClient Client(StubHttpHandler stub, FakeTimeProvider time, Action<DeploymentResilienceOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddHttpClient("llm").AddLlmKitResilienceHandler(configure).ConfigurePrimaryHttpMessageHandler(() => stub);
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient("llm");
    }

    private static HttpResponseMessage Status(int status, string body = "") => new((HttpStatusCode)status) { Content = new TrackedContent(body) };

    private static HttpResponseMessage RateLimited(string header, string value, string body = "")
    {
        var response = Status(429, body);
        response.Headers.TryAddWithoutValidation(header, value);
        return response;
    }

    [Fact]
    public async Task SendAsync_503ThenSuccess_RetriesOnceAndDisposesTheFailedResponse()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(attempt => attempt == 1 ? Status(503) : Status(200, "ok"), time);
        using var client = Client(stub, time);

        using var response = await FakeTime.DriveAsync(time, client.GetAsync(Endpoint));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, stub.Attempts);
        Assert.True(((TrackedContent)stub.Responses.First().Content).Disposed);
    }

    [Fact]
    public async Task SendAsync_ServerErrorOnEveryAttempt_ReturnsTheLastResponseAfterAllRetries()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(attempt => Status(500, "attempt " + attempt), time);
        using var client = Client(stub, time, o => o.MaxRetries = 2);

        using var response = await FakeTime.DriveAsync(time, client.GetAsync(Endpoint));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("attempt 3", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, stub.Attempts);
    }

    [Theory]
    [InlineData("retry-after", "7")]
    [InlineData("retry-after-ms", "7000")]
    [InlineData("retry-after", "Sat, 01 Jan 2000 00:00:07 GMT")]
    public async Task SendAsync_429WithRetryAfter_WaitsThatLongOnTheClockBeforeRetrying(string header, string value)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var stub = new StubHttpHandler(attempt => attempt == 1 ? RateLimited(header, value) : Status(200), time);
        using var client = Client(stub, time, o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(10);
        });

        using var response = await FakeTime.DriveAsync(time, client.GetAsync(Endpoint));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var arrived = stub.ArrivedAt.ToArray();
        Assert.Equal(2, arrived.Length);
        var gap = arrived[1] - arrived[0];
        Assert.True(gap >= TimeSpan.FromSeconds(7) && gap < TimeSpan.FromSeconds(10), string.Create(CultureInfo.InvariantCulture, $"The retry came {gap} after the 429, not after the 7 s it asked for."));
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfterLongerThanMaxRetryAfter_ReturnsItAsIsWithoutWaiting()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var stub = new StubHttpHandler(_ => RateLimited("retry-after", "120", "slow down"), time);
        using var client = Client(stub, time, o => o.MaxRetryAfter = TimeSpan.FromSeconds(20));

        using var response = await client.GetAsync(Endpoint).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), response.Headers.RetryAfter?.Delta);
        Assert.Equal("slow down", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, stub.Attempts);
        Assert.Equal(start, time.GetUtcNow());
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfterBeyondTheRemainingTotalTimeout_ReturnsItAsIs()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(_ => RateLimited("retry-after", "15"), time);
        using var client = Client(stub, time, o =>
        {
            o.TotalTimeout = TimeSpan.FromSeconds(10);
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
        });

        using var response = await client.GetAsync(Endpoint).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, stub.Attempts);
    }

    [Fact]
    public async Task SendAsync_429SayingQuotaExhausted_IsNotRetriedAndItsBodyStaysReadable()
    {
        var time = new FakeTimeProvider();
        const string body = """{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}}""";
        var stub = new StubHttpHandler(_ => Status(429, body), time);
        using var client = Client(stub, time);

        using var response = await client.GetAsync(Endpoint).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, stub.Attempts);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SendAsync_400_IsNotRetried()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(_ => Status(400, "bad"), time);
        using var client = Client(stub, time);

        using var response = await client.GetAsync(Endpoint).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, stub.Attempts);
    }

    [Fact]
    public async Task SendAsync_503WithShouldRetryFalse_IsNotRetried()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(
            _ =>
            {
                var response = Status(503);
                response.Headers.Add("x-should-retry", "false");
                return response;
            },
            time);
        using var client = Client(stub, time);

        using var response = await client.GetAsync(Endpoint).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, stub.Attempts);
    }

    [Fact]
    public async Task SendAsync_RetriedRequestWithReadOnceBody_SendsTheSameBodyEachAttempt()
    {
        var time = new FakeTimeProvider();
        const string json = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
        var stub = new StubHttpHandler(attempt => attempt == 1 ? Status(502) : Status(200), time);
        using var client = Client(stub, time);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new StreamContent(new ReadOnceStream(Encoding.UTF8.GetBytes(json))) };

        using var response = await FakeTime.DriveAsync(time, client.SendAsync(request));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { json, json }, stub.Bodies);
    }

    [Fact]
    public async Task SendAsync_HttpRequestExceptionThenSuccess_Retries()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(attempt => attempt == 1 ? throw new HttpRequestException("Connection refused") : Status(200), time);
        using var client = Client(stub, time);

        using var response = await FakeTime.DriveAsync(time, client.GetAsync(Endpoint));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, stub.Attempts);
    }

    [Fact]
    public async Task SendAsync_EveryAttemptTimesOut_ThrowsProviderExceptionOfKindTimeout()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(
            async (_, _, cancellationToken) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                return Status(200);
            },
            time);
        using var client = Client(stub, time, o =>
        {
            o.MaxRetries = 1;
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
        });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => FakeTime.DriveAsync(time, client.GetAsync(Endpoint)));

        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
        Assert.Equal("api.example.test", ex.Provider);
        Assert.IsType<TimeoutRejectedException>(ex.InnerException);
        Assert.Contains("within 5 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, stub.Attempts);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsCancellationWithoutRetrying()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stub = new StubHttpHandler(
            async (_, _, cancellationToken) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                return Status(200);
            },
            time);
        using var client = Client(stub, time);
        using var cts = new CancellationTokenSource();

        var call = client.GetAsync(Endpoint, cts.Token);
        await started.Task.WaitAsync(Hang);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Hang));
        Assert.Equal(1, stub.Attempts);
    }

    [Fact]
    public async Task SendAsync_RepeatedServerErrors_OpenTheCircuitAndLaterCallsFailFastWithoutReachingTheServer()
    {
        var time = new FakeTimeProvider();
        var stub = new StubHttpHandler(_ => Status(500), time);
        using var client = Client(stub, time, o =>
        {
            o.MaxRetries = 0;
            o.CircuitBreakerMinimumThroughput = 2;
        });

        (await client.GetAsync(Endpoint).WaitAsync(Hang)).Dispose();
        (await client.GetAsync(Endpoint).WaitAsync(Hang)).Dispose();
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetAsync(Endpoint).WaitAsync(Hang));

        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.IsAssignableFrom<BrokenCircuitException>(ex.InnerException);
        Assert.Equal(2, stub.Attempts);
    }
}
