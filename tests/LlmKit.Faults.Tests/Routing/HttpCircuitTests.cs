using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Faults.Tests.Routing;

/// <summary>
/// The circuit of a provider that sends HTTP (here OpenAI) lives in the resilience handler of its named client, one per
/// deployment; the router still sees it. The host swaps the client's primary handler with the standard
/// <c>IHttpClientBuilder</c> API, which is also how these tests script the server's answers.
/// </summary>
public class HttpCircuitTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    private sealed class ScriptedServer : HttpMessageHandler
    {
        public ConcurrentQueue<string> Models { get; } = new();

        public Func<string, int, HttpStatusCode> StatusFor { get; set; } = (_, _) => HttpStatusCode.OK;

        private readonly ConcurrentDictionary<string, int> _calls = new();

        public int Calls(string model) => _calls.GetValueOrDefault(model);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = await request.Content!.ReadAsStringAsync(cancellationToken);
            string model = body.Contains("\"model\":\"m-b\"", StringComparison.Ordinal) ? "m-b" : "m-a";
            int n = _calls.AddOrUpdate(model, 1, (_, c) => c + 1);
            Models.Enqueue(model);
            var status = StatusFor(model, n);
            string json = status == HttpStatusCode.OK
                ? $$$"""{"id":"c{{{n}}}","object":"chat.completion","model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"ok {{{model}}} {{{n}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"""
                : """{"error":{"message":"upstream broke","type":"server_error"}}""";
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private static (ServiceProvider Services, FakeTimeProvider Time) Build(ScriptedServer server, bool twoModels)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmKit(kit =>
        {
            kit.AddOpenAI("openai", o =>
            {
                o.BaseUrl = new Uri("http://127.0.0.1:9/v1/");
                o.ApiKey = "sk-test-circuit-0000";
            });
            kit.AddModel("smart", "openai", "m-a");
            if (twoModels)
            {
                kit.AddModel("other", "openai", "m-b");
            }

            kit.Configure(o =>
            {
                o.Resilience.MaxRetries = 0;
                o.Resilience.CircuitBreakerMinimumThroughput = 5;
                o.Resilience.CircuitBreakerBreakDuration = Break;
                o.Cooldown.Enabled = false;
            });
        });
        services.AddHttpClient(OpenAILlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => server);
        return (services.BuildServiceProvider(), time);
    }

    [Fact]
    public async Task FiveServerErrorsThen200_CircuitOpensThenRecoversAfterTheBreak()
    {
        var server = new ScriptedServer { StatusFor = (_, n) => n <= 5 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK };
        var (sp, time) = Build(server, twoModels: false);
        using var _ = sp;
        var chat = sp.GetRequiredService<IChatClient>();
        for (int i = 0; i < 5; i++)
        {
            var failure = await Assert.ThrowsAsync<ProviderException>(() => chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
            Assert.Equal(LlmFailureKind.ServerError, failure.FailureKind);
        }

        // Open: nothing reaches the server, and the caller is told when it will be tried again.
        time.Advance(TimeSpan.FromSeconds(10));
        var open = await Assert.ThrowsAsync<ModelUnavailableException>(() => chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
        Assert.Equal(LlmFailureKind.Unavailable, open.FailureKind);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(20), open.RetryAt);
        Assert.Equal(5, server.Calls("m-a"));

        // 40 s after the first failure (the repro of the issue): the probe goes out, succeeds and closes the circuit.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("ok m-a 6", (await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" })).Text);
        Assert.Equal("ok m-a 7", (await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" })).Text);
        Assert.Equal(7, server.Calls("m-a"));
    }

    [Fact]
    public async Task OneModelFailing_OpensOnlyItsOwnDeploymentsCircuitOnTheSharedClient()
    {
        var server = new ScriptedServer { StatusFor = (model, _) => model == "m-a" ? HttpStatusCode.BadGateway : HttpStatusCode.OK };
        var (sp, _) = Build(server, twoModels: true);
        using var __ = sp;
        var chat = sp.GetRequiredService<IChatClient>();
        for (int i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<ProviderException>(() => chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
        }

        await Assert.ThrowsAsync<ModelUnavailableException>(() => chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
        for (int i = 1; i <= 6; i++)
        {
            Assert.Equal($"ok m-b {i}", (await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "other" })).Text);
        }

        Assert.Equal(5, server.Calls("m-a"));
    }

    [Fact]
    public async Task ConnectionResilience_ReachesTheNamedClientsPipeline()
    {
        var server = new ScriptedServer { StatusFor = (_, n) => n == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmKit(kit =>
        {
            kit.AddOpenAI("openai", o =>
            {
                o.BaseUrl = new Uri("http://127.0.0.1:9/v1/");
                o.ApiKey = "sk-test-circuit-0000";
            });
            kit.AddModel("smart", "openai", "m-a");
            kit.Configure(o =>
            {
                o.Resilience.MaxRetries = 2;
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
                o.ConnectionResilience["openai"] = new DeploymentResilienceOptions { MaxRetries = 0 };
                o.Cooldown.Enabled = false;
            });
        });
        services.AddHttpClient(OpenAILlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => server);
        using var sp = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));

        // The global settings would have retried the 503; the connection's say no retry.
        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.Equal(1, server.Calls("m-a"));
    }
}
