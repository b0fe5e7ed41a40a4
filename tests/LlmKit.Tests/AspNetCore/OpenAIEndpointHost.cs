using System.Net.Http.Headers;
using LlmKit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.AspNetCore;

/// <summary>
/// A real Kestrel server on a loopback port hosting <c>MapLlmKitOpenAI()</c> over a scripted provider, on a fake clock.
/// Logical models: <c>smart</c> and <c>cheap</c> (both on the scripted provider); embeddings keyed <c>embed</c>.
/// </summary>
public sealed class OpenAIEndpointHost : IAsyncDisposable
{
    private OpenAIEndpointHost(WebApplication app, ScriptedChatClient provider, FakeTimeProvider time, RecordingEmbeddingGenerator embeddings)
    {
        App = app;
        Provider = provider;
        Time = time;
        Embeddings = embeddings;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }

    public ScriptedChatClient Provider { get; }

    public FakeTimeProvider Time { get; }

    public RecordingEmbeddingGenerator Embeddings { get; }

    public Uri BaseAddress { get; }

    /// <summary>The OpenAI base URL: the server's address plus <c>/v1</c>.</summary>
    public Uri OpenAIBase => new(BaseAddress, "v1/");

    public HttpClient Http { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<OpenAIEndpointHost> StartAsync(Action<LlmKitApiOptions>? api = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var provider = new ScriptedChatClient(time) { DefaultModelId = "scripted-model" };
        var embeddings = new RecordingEmbeddingGenerator();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddLlmKit(kit => kit
            .AddProvider("scripted", _ => provider)
            .AddModel("smart", "scripted", "scripted-smart")
            .AddModel("cheap", "scripted", "scripted-cheap")
            .UseDefaultModel("smart")
            .Configure(o => o.Resilience.MaxRetries = 0));
        builder.Services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>("embed", embeddings);
        builder.Services.AddLlmKitApi(api);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapLlmKitOpenAI();
        await app.StartAsync();
        return new OpenAIEndpointHost(app, provider, time, embeddings);
    }

    /// <summary>Creates a key in the host's key store and returns it.</summary>
    public async Task<IssuedApiKey> CreateKeyAsync(ApiKeyCreateOptions? options = null)
    {
        var issuer = new ApiKeyIssuer(Services.GetRequiredService<IApiKeyStore>(), Time);
        return await issuer.CreateAsync(options ?? new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat, ApiKeyScopes.Embeddings] });
    }

    public static HttpRequestMessage Post(string path, string json, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    public static HttpRequestMessage Get(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    /// <summary>What the ledger holds: calls and tokens charged so far.</summary>
    public async Task<UsageTotals> LedgerAsync()
        => await Services.GetRequiredService<IUsageLedger>().GetTotalsAsync(new UsageQuery());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

