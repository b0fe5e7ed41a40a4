using LlmKit.Gemini.Tests.TestDoubles;
using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Gemini.Tests.DependencyInjection;

public sealed class GeminiLlmKitBuilderExtensionsTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];

    [Fact]
    public async Task AddGemini_InCode_ServesCallsThroughThePipelineWithTheNamedHttpClient()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddGemini(configure: o =>
        {
            o.ApiKey = "code-key-0123456789";
            o.DefaultModel = "gemini-2.5-flash";
        }));
        services.Configure<LlmKitOptions>(o => o.DefaultModel = "gemini-2.5-flash");
        services.AddHttpClient(GeminiLlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync(Hello, new ChatOptions { ModelId = "gemini-2.5-flash" });

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal("gemini", Route(response).Provider);
        Assert.Equal("code-key-0123456789", handler.LastRequest.Headers["x-goog-api-key"]);
        Assert.Equal("gcp.gemini", client.GetService<ChatClientMetadata>()!.ProviderName);
        Assert.NotNull(client.GetService<IExactTokenCounter>());
    }

    [Fact]
    public async Task AddGemini_NamedOptions_CanBeConfiguredLaterByName()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddGemini("google", o => o.ApiKey = "first-key-0123456789"));
        services.Configure<GeminiClientOptions>("google", o => o.BaseUrl = new Uri("http://gemini.internal:9000/"));
        services.AddHttpClient(GeminiLlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync(Hello, new ChatOptions { ModelId = "gemini-2.5-flash" });

        Assert.Equal("http://gemini.internal:9000/v1beta/models/gemini-2.5-flash:generateContent", handler.LastRequest.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task AddGemini_EmbeddingGenerator_IsKeyedByConnectionName()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddGemini("gemini", o => o.ApiKey = "k-0123456789"));
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("gemini");

        Assert.IsType<GeminiEmbeddingGenerator>(generator);
    }

    [Fact]
    public async Task AddGeminiProviderType_ConfiguredConnection_MapsAllSettings()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Providers:google:Type"] = "Gemini",
            ["LlmKit:Providers:google:ApiKey"] = "config-key-0123456789",
            ["LlmKit:Providers:google:BaseUrl"] = "http://gemini.test:8081/",
            ["LlmKit:Providers:google:DefaultModel"] = "gemini-2.5-pro",
            ["LlmKit:Providers:google:Headers:x-goog-user-project"] = "proj-1",
            ["LlmKit:Providers:google:Settings:ApiVersion"] = "v1",
            ["LlmKit:Providers:google:Settings:DefaultEmbeddingModel"] = "text-embedding-004",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddGeminiProviderType());
        services.AddHttpClient(GeminiLlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync(Hello, new ChatOptions { ModelId = "gemini-2.5-pro" });

        var request = handler.LastRequest;
        Assert.Equal("http://gemini.test:8081/v1/models/gemini-2.5-pro:generateContent", request.Uri.AbsoluteUri);
        Assert.Equal("config-key-0123456789", request.Headers["x-goog-api-key"]);
        Assert.Equal("proj-1", request.Headers["x-goog-user-project"]);
    }

    [Fact]
    public async Task AddGeminiProviderType_TypedSettings_ApiVersionReachesTheWire()
    {
        await using var server = RawHttpServer.StartResponse(200, "application/json", Fixtures.Text("generate-text.json"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Providers:google:Type"] = "Gemini",
            ["LlmKit:Providers:google:ApiKey"] = "config-key-0123456789",
            ["LlmKit:Providers:google:BaseUrl"] = server.BaseUri.ToString(),
            ["LlmKit:Providers:google:Settings:apiVersion"] = "v1",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddGeminiProviderType());
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync(Hello, new ChatOptions { ModelId = "gemini-2.5-pro" });

        Assert.Equal("/v1/models/gemini-2.5-pro:generateContent", Assert.Single(server.Requests).Target);
    }

    [Theory]
    [InlineData("Region", "eu")]
    [InlineData("ApiVersion", " ")]
    [InlineData("ApiVersion", "v1/../v2")]
    [InlineData("DefaultEmbeddingModel", " ")]
    public void StartupValidation_BadSetting_FailsNamingTheKey(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Providers:google:Type"] = "Gemini",
            ["LlmKit:Providers:google:ApiKey"] = "config-key-0123456789",
            [$"LlmKit:Providers:google:Settings:{key}"] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddGeminiProviderType());
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([$"LlmKit:Providers:google:Settings:{key}"], ex.Keys);
        Assert.Contains($"LlmKit:Providers:google:Settings:{key}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGeminiProviderType_CalledTwiceAndWithAddGemini_RegistersTheTypeOnce()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit =>
        {
            kit.AddGeminiProviderType();
            kit.AddGeminiProviderType();
            kit.AddGemini("a", o => o.ApiKey = "k-0123456789");
            kit.AddGemini("b", o => o.ApiKey = "k-0123456789");
        });

        Assert.Single(services, d => d.ServiceType == typeof(GeminiProviderTypeMarker));
        Assert.Single(services, d => d.ImplementationInstance?.GetType().Name == "ProviderTypeRegistration");
        Assert.Equal(2, services.Count(d => d.ImplementationInstance?.GetType().Name == "ProviderRegistration"));
    }

    [Fact]
    public void AddGemini_SameNameTwice_ThrowsConfigurationException()
    {
        var services = new ServiceCollection();

        Assert.Throws<LlmKitConfigurationException>(() => services.AddLlmKit(kit =>
        {
            kit.AddGemini();
            kit.AddGemini();
        }));
    }

    [Fact]
    public void AddGemini_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => GeminiLlmKitBuilderExtensions.AddGemini(null!));
        var services = new ServiceCollection();
        services.AddLlmKit(kit => Assert.Throws<ArgumentException>(() => kit.AddGemini(" ")));
    }
}
