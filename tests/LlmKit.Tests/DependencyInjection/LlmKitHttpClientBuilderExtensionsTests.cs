using System.Net;
using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.DependencyInjection;

public class LlmKitHttpClientBuilderExtensionsTests
{
    private static readonly Uri Endpoint = new("https://api.example.test/v1/messages");

    [Fact]
    public async Task AddLlmKitResilienceHandler_NamedClient_RetriesWithTheConfiguredSettings()
    {
        var stub = new StubHttpHandler(attempt => new HttpResponseMessage(attempt < 3 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        var services = new ServiceCollection();
        services.AddHttpClient("llm")
            .AddLlmKitResilienceHandler(o =>
            {
                o.MaxRetries = 1;
                o.RetryBaseDelay = TimeSpan.Zero;
                o.RetryMaxDelay = TimeSpan.Zero;
            })
            .ConfigurePrimaryHttpMessageHandler(() => stub);
        using var sp = services.BuildServiceProvider();
        using var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        using var response = await client.GetAsync(Endpoint).WaitAsync(TimeSpan.FromSeconds(30));

        // One retry only: the second 503 comes back as it is.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, stub.Attempts);
    }

    [Fact]
    public void AddLlmKitResilienceHandler_InvalidSettings_ThrowsArgumentExceptionAtRegistration()
    {
        var builder = new ServiceCollection().AddHttpClient("llm");

        var ex = Assert.Throws<ArgumentException>(() => builder.AddLlmKitResilienceHandler(o => o.CircuitBreakerFailureRatio = 2));

        Assert.Equal("configure", ex.ParamName);
        Assert.Contains("CircuitBreakerFailureRatio", ex.Message, StringComparison.Ordinal);
    }
}
