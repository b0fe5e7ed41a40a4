using System.Text.Json;
using LlmKit.Anthropic.Tests.TestDoubles;
using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Anthropic.Tests;

public class AnthropicLlmKitBuilderExtensionsTests
{
    [Fact]
    public async Task AddAnthropic_Registered_PipelineCallsAnthropicThroughNamedHttpClient()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddAnthropic(configure: o =>
        {
            o.ApiKey = TestClients.ApiKey;
            o.BaseUrl = TestClients.BaseUrl;
        }));
        services.AddHttpClient(AnthropicLlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var chat = provider.GetRequiredService<IChatClient>();

        var response = await chat.GetResponseAsync("Hello", new ChatOptions { ModelId = "claude-haiku-4-5" });

        Assert.Equal("Hello! How can I help you today?", response.Text);
        Assert.Equal("anthropic", Route(response).Provider);
        Assert.Equal("anthropic/claude-haiku-4-5", Route(response).Deployment.Name);
        Assert.Equal("claude-haiku-4-5", handler.Last.Json.GetProperty("model").GetString());
        Assert.Equal("https://api.test.example/v1/messages", handler.Last.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task AddAnthropic_ThroughPipeline_TokenCounterAndMetadataReachable()
    {
        var handler = FakeAnthropicHandler.Json("count-tokens.json");
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddAnthropic("claude", o =>
        {
            o.ApiKey = TestClients.ApiKey;
            o.BaseUrl = TestClients.BaseUrl;
        }));
        services.Configure<LlmKitOptions>(o => o.DefaultModel = "claude-opus-4-7");
        services.AddHttpClient(AnthropicLlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var chat = provider.GetRequiredService<IChatClient>();

        var counter = chat.GetService<IExactTokenCounter>();
        int count = await counter!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "claude-opus-4-7" });

        Assert.Equal(2095, count);
        Assert.EndsWith("/v1/messages/count_tokens", handler.Last.Uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("anthropic", chat.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Fact]
    public async Task AddAnthropic_AppModelRegistry_MaxTokensFromRegisteredModel()
    {
        var handler = FakeAnthropicHandler.Json("message-text.json");
        var services = new ServiceCollection();
        services.AddSingleton<IModelRegistry>(new OneModelRegistry("claude-registry-model", 2222));
        services.AddLlmKit(kit => kit.AddAnthropic(configure: o =>
        {
            o.ApiKey = TestClients.ApiKey;
            o.BaseUrl = TestClients.BaseUrl;
        }));
        services.AddHttpClient(AnthropicLlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hello", new ChatOptions { ModelId = "claude-registry-model" });

        Assert.Equal(2222, handler.Last.Json.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task AddAnthropicProviderType_ConfiguredConnection_TypedSettingsReachTheWire()
    {
        await using var server = RawHttpServer.StartResponse(200, "application/json", Fixtures.Text("message-text.json"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:DefaultModel"] = "claude-config-test-model",
            ["LlmKit:Providers:claude:Type"] = "Anthropic",
            ["LlmKit:Providers:claude:ApiKey"] = TestClients.ApiKey,
            ["LlmKit:Providers:claude:BaseUrl"] = server.BaseUri.ToString(),
            ["LlmKit:Providers:claude:DefaultModel"] = "claude-config-test-model",
            ["LlmKit:Providers:claude:Headers:anthropic-beta"] = "context-1m-2025-08-07",
            ["LlmKit:Providers:claude:Settings:AnthropicVersion"] = "2024-10-22",
            ["LlmKit:Providers:claude:Settings:defaultMaxOutputTokens"] = "9000",
            ["LlmKit:Providers:claude:Settings:ThinkingStyle"] = "budgeted",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddAnthropicProviderType());
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hello", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } });

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/messages", request.Target);
        Assert.Equal(TestClients.ApiKey, request.Headers["x-api-key"]);
        Assert.Equal("2024-10-22", request.Headers["anthropic-version"]);
        Assert.Equal("context-1m-2025-08-07", request.Headers["anthropic-beta"]);
        using var body = JsonDocument.Parse(request.BodyText);
        Assert.Equal(9000, body.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal("claude-config-test-model", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(2048, body.RootElement.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal("enabled", body.RootElement.GetProperty("thinking").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("DefaultMaxOutputTokens", "lots")]
    [InlineData("DefaultMaxOutputTokens", "-5")]
    [InlineData("DefaultMaxOutputTokens", "0")]
    [InlineData("ThinkingStyle", "Creative")]
    [InlineData("ThinkingStyle", "7")]
    [InlineData("AnthropicVersion", " ")]
    [InlineData("Region", "eu")]
    public void StartupValidation_BadSetting_FailsNamingTheKey(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Providers:claude:Type"] = "Anthropic",
            ["LlmKit:Providers:claude:ApiKey"] = TestClients.ApiKey,
            [$"LlmKit:Providers:claude:Settings:{key}"] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddAnthropicProviderType());
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([$"LlmKit:Providers:claude:Settings:{key}"], ex.Keys);
        Assert.Contains($"LlmKit:Providers:claude:Settings:{key}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.ApiKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAnthropicProviderType_CalledTwiceAndWithAddAnthropic_RegisteredOnce()
    {
        var services = new ServiceCollection();

        services.AddLlmKit(kit =>
        {
            kit.AddAnthropicProviderType();
            kit.AddAnthropicProviderType();
            kit.AddAnthropic(configure: o => o.ApiKey = TestClients.ApiKey);
        });

        Assert.Equal(1, services.Count(d => d.ServiceType.Name == "ProviderTypeRegistration"));
        Assert.Equal(1, services.Count(d => d.ServiceType.Name == "ProviderRegistration"));
    }

    [Fact]
    public async Task AddAnthropic_NamedHttpClient_LeavesTimingToTheResilienceHandler()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddAnthropic(configure: o => o.ApiKey = TestClients.ApiKey));
        await using var provider = services.BuildServiceProvider();

        using var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(AnthropicLlmKitBuilderExtensions.HttpClientName);

        // HttpClient.Timeout would cut long answers and retries short: the resilience handler's attempt and total
        // timeouts (LlmKit:Resilience) time the calls instead.
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    [Fact]
    public void AddAnthropic_SameNameTwice_ThrowsConfiguration()
    {
        var services = new ServiceCollection();

        Assert.Throws<LlmKitConfigurationException>(() => services.AddLlmKit(kit =>
        {
            kit.AddAnthropic();
            kit.AddAnthropic();
        }));
    }

    [Fact]
    public void AddAnthropic_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => AnthropicLlmKitBuilderExtensions.AddAnthropic(null!));
}
