using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
    public void FromSettings_AllSettings_MapToOptions()
    {
        var settings = new ProviderConnectionSettings
        {
            Name = "google",
            Type = "Gemini",
            ApiKey = "k",
            BaseUrl = new Uri("http://x/"),
            DefaultModel = "m",
            Headers = { ["h"] = "v" },
            Settings = { ["apiversion"] = "v1", ["DefaultEmbeddingModel"] = "e" },
        };

        var options = GeminiLlmKitBuilderExtensions.FromSettings(settings);

        Assert.Equal("k", options.ApiKey);
        Assert.Equal(new Uri("http://x/"), options.BaseUrl);
        Assert.Equal("m", options.DefaultModel);
        Assert.Equal("v", options.Headers["h"]);
        Assert.Equal("v1", options.ApiVersion);
        Assert.Equal("e", options.DefaultEmbeddingModel);
    }

    [Fact]
    public void FromSettings_UnknownSetting_ThrowsConfigurationExceptionNamingTheKey()
    {
        var settings = new ProviderConnectionSettings { Name = "google", Type = "Gemini", Settings = { ["Region"] = "eu" } };

        var ex = Assert.Throws<LlmKitConfigurationException>(() => GeminiLlmKitBuilderExtensions.FromSettings(settings));

        Assert.Contains("LlmKit:Providers:google:Settings:Region", ex.Keys);
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
