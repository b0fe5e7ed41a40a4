using System.Net;
using System.Text.Json;
using LlmKit.OpenAI.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.OpenAI.Tests;

public class OpenAILlmKitBuilderExtensionsTests
{
    [Theory]
    [InlineData("OllamaOpenAI", "ollama")]
    [InlineData("AzureOpenAI", "azure.ai.openai")]
    [InlineData("Groq", "groq")]
    [InlineData("Ollama", "ollama")]
    public void ConfigurationConnection_ProviderType_CreatesTheMatchingClient(string type, string providerName)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:Providers:main:Type", type),
            new("LlmKit:Providers:main:ApiKey", "key-0123456789"),
            new("LlmKit:Providers:main:BaseUrl", "http://127.0.0.1:5555/v1/"),
            new("LlmKit:DefaultModel", "m1"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => kit.AddOllamaProviderType());
        using var sp = services.BuildServiceProvider();

        var metadata = sp.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>();

        Assert.Equal(providerName, metadata?.ProviderName);
        Assert.StartsWith("http://127.0.0.1:5555/", metadata?.ProviderUri?.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ollama", typeof(OllamaChatClient))]
    [InlineData("OllamaOpenAI", typeof(OpenAIChatClient))]
    public void ConfigurationConnection_OllamaTypes_MeanWhatAddOllamaAndTheOllamaOpenAIProfileMean(string type, Type expectedClient)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:Providers:main:Type", type),
            new("LlmKit:DefaultModel", "llama3.2"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => kit.AddOpenAIProviderTypes());   // no AddOllama(): the OpenAI package's types include both
        using var sp = services.BuildServiceProvider();

        object? client = sp.GetRequiredService<IChatClient>().GetService(expectedClient);

        Assert.IsType(expectedClient, client);
    }

    [Fact]
    public void AddOpenAIProviderTypes_CalledTwice_RegistersEachTypeOnce()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddOpenAIProviderTypes().AddOpenAIProviderTypes().AddOpenAI(configure: o => o.ApiKey = "k-0123456789"));

        Assert.Single(services, d => d.ServiceType.Name == "OpenAIProviderTypesMarker");
    }

    [Fact]
    public async Task ConfigurationConnection_BadIncludeStreamUsage_ThrowsNamingTheSettingOnFirstCall()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:Providers:main:Type", "OpenAI"),
            new("LlmKit:Providers:main:ApiKey", "key-0123456789"),
            new("LlmKit:Providers:main:Settings:IncludeStreamUsage", "sometimes"),
            new("LlmKit:DefaultModel", "m1"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => kit.AddOpenAIProviderTypes());
        using var sp = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("x"));

        Assert.Contains("IncludeStreamUsage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOpenAIModeration_CategoryOverThreshold_InputGuardBlocksBeforeTheModel()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK, """
            {"id":"modr-2","model":"omni-moderation-latest","results":[{"flagged":true,
              "category_scores":{"harassment":0.02,"self-harm/intent":0.88}}]}
            """);
        var model = new LlmKit.Testing.ScriptedChatClient().ReturnsText("never");
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:Safety:Input:Rules:SELF_HARM_INTENT:Action", "Block"),
            new("LlmKit:Safety:Input:Rules:SELF_HARM_INTENT:Threshold", "0.5"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => kit
            .AddProvider("scripted", _ => model)
            .AddOpenAIModeration(o => o.ApiKey = "sk-test-0123456789"));
        services.AddHttpClient(OpenAILlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        using var sp = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<ContentBlockedException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "a worrying message")], new ChatOptions { ModelId = "m" }));

        Assert.Equal(["SELF_HARM_INTENT"], ex.FindingTypes);
        Assert.Equal("a worrying message", JsonDocument.Parse(handler.Requests[0].Body!).RootElement.GetProperty("input").GetString());
    }
}
