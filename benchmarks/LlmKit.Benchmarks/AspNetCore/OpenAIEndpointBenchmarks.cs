using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmKit.Benchmarks.AspNetCore;

/// <summary>
/// The OpenAI-compatible endpoint's overhead: the same canned provider behind <c>AddLlmKit()</c> (ledger discarded),
/// called in-process through <see cref="IChatClient"/> and through <c>POST /v1/chat/completions</c> on Kestrel over
/// loopback with an API key (authentication, key lookup, body read, JSON parse, response writing, HTTP both ways).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OpenAIEndpointBenchmarks
{
    private const string Body = """{"model":"smart","messages":[{"role":"user","content":"Say hello."}]}""";
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Say hello.")];
    private WebApplication _app = null!;
    private IChatClient _client = null!;
    private HttpClient _http = null!;
    private string _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var provider = new CannedChatClient(1);
        builder.Services.AddSingleton<IUsageLedger, DiscardingUsageLedger>();
        builder.Services.AddLlmKit(kit => kit.AddProvider("openai", _ => provider).AddModel("smart", "openai", "gpt-4o"));
        _app = builder.Build();
        _app.MapLlmKitOpenAI();
        _app.StartAsync().GetAwaiter().GetResult();
        _client = _app.Services.GetRequiredService<IChatClient>();
        _key = new ApiKeyIssuer(_app.Services.GetRequiredService<IApiKeyStore>())
            .CreateAsync(new ApiKeyCreateOptions { TenantId = "bench", Scopes = [ApiKeyScopes.Chat] }).GetAwaiter().GetResult().Key;
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "IChatClient in-process")]
    public async Task<string> InProcess()
    {
        var options = new ChatOptions { ModelId = "smart" }.WithLlmContext(new LlmRequestContext { TenantId = "bench", ApiKeyId = "k" });
        var response = await _client.GetResponseAsync(_messages, options);
        return response.Text;
    }

    [Benchmark(Description = "POST /v1/chat/completions (Kestrel, loopback)")]
    public async Task<int> Endpoint()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        using var response = await _http.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? body.Length : throw new InvalidOperationException($"The endpoint answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
    }
}
