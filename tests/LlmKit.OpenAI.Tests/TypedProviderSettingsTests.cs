using System.Text.Json;
using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.OpenAI.Tests;

/// <summary>
/// A configured connection's <c>Settings</c> section binds to <see cref="OpenAIProviderSettings"/> /
/// <see cref="OllamaProviderSettings"/>: a bad value stops start-up (the host's <see cref="IStartupValidator"/>) naming
/// its key; good values reach the wire of a real HTTP server.
/// </summary>
public class TypedProviderSettingsTests
{
    [Theory]
    [InlineData("OpenAI", "IncludeStreamUsage", "sometimes")]
    [InlineData("OpenAI", "Organisation", "acme")]
    [InlineData("OpenAI", "Project", "proj 1")]
    [InlineData("Groq", "Organization", "org\u00e9")]
    [InlineData("AzureOpenAI", "ApiVersion", " ")]
    [InlineData("Ollama", "KeepAlive", "5 minutes")]
    [InlineData("Ollama", "KeepAlive", "300")]
    public void StartupValidation_BadSetting_FailsNamingTheKey(string type, string key, string value)
    {
        using var services = Build(type, "http://127.0.0.1:9/", (key, value));

        var ex = Assert.Throws<LlmKitConfigurationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([$"LlmKit:Providers:main:Settings:{key}"], ex.Keys);
        Assert.Contains($"LlmKit:Providers:main:Settings:{key}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupValidation_SettingsSetInCodeForTheConnection_AreValidatedToo()
    {
        var configuration = Configuration("Ollama", "http://127.0.0.1:9/");
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddOpenAIProviderTypes());
        services.Configure<OllamaProviderSettings>("main", s => s.KeepAlive = "forever");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(["LlmKit:Providers:main:Settings:KeepAlive"], ex.Keys);
    }

    [Fact]
    public void StartupValidation_HostValidatorReturnsAFailure_FailsNamingTheSettingsSection()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Configuration("OpenAI", "http://127.0.0.1:9/", ("Organization", "org-blocked")), kit => kit.AddOpenAIProviderTypes());
        services.AddOptions<OpenAIProviderSettings>("main").Validate(s => s.Organization != "org-blocked", "this organization is not allowed here");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(["LlmKit:Providers:main:Settings"], ex.Keys);
        Assert.Contains("this organization is not allowed here", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAI_GoodSettings_ReachTheWire()
    {
        string sse = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "stream-text.sse"));
        await using var server = RawHttpServer.StartRaw(RawHttpServer.Head(200, ("Content-Type", "text/event-stream")) + sse);
        using var services = Build("OpenAI", server.BaseUri + "v1/", ("Organization", "org-typed"), ("Project", "proj_typed"), ("IncludeStreamUsage", "false"));
        services.GetRequiredService<IStartupValidator>().Validate();

        await foreach (var _ in services.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hi"))
        {
        }

        var request = Assert.Single(server.Requests);
        Assert.Equal("org-typed", request.Headers["OpenAI-Organization"]);
        Assert.Equal("proj_typed", request.Headers["OpenAI-Project"]);
        using var body = JsonDocument.Parse(request.BodyText);
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());
        Assert.False(body.RootElement.TryGetProperty("stream_options", out _));
    }

    [Fact]
    public async Task AzureOpenAI_ApiVersion_ReachesTheWire()
    {
        string json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "chat-text.json"));
        await using var server = RawHttpServer.StartResponse(200, "application/json", json);
        using var services = Build("AzureOpenAI", server.BaseUri.ToString(), ("apiversion", "2025-01-01-preview"));
        services.GetRequiredService<IStartupValidator>().Validate();

        await services.GetRequiredService<IChatClient>().GetResponseAsync("hi");

        Assert.Equal("/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview", Assert.Single(server.Requests).Target);
    }

    [Fact]
    public async Task Ollama_KeepAlive_ReachesTheWire()
    {
        await using var server = RawHttpServer.StartResponse(200, "application/json", """{"model":"gpt-4o","message":{"role":"assistant","content":"hello"},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":1}""");
        using var services = Build("Ollama", server.BaseUri.ToString(), ("KeepAlive", "1h30m"));
        services.GetRequiredService<IStartupValidator>().Validate();

        await services.GetRequiredService<IChatClient>().GetResponseAsync("hi");

        using var body = JsonDocument.Parse(Assert.Single(server.Requests).BodyText);
        Assert.Equal("1h30m", body.RootElement.GetProperty("keep_alive").GetString());
    }

    private static ServiceProvider Build(string type, string baseUrl, params (string Key, string Value)[] settings)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Configuration(type, baseUrl, settings), kit => kit.AddOpenAIProviderTypes());
        return services.BuildServiceProvider();
    }

    private static IConfiguration Configuration(string type, string baseUrl, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["LlmKit:Providers:main:Type"] = type,
            ["LlmKit:Providers:main:ApiKey"] = "sk-test-key-0123456789",
            ["LlmKit:Providers:main:BaseUrl"] = baseUrl,
            ["LlmKit:DefaultModel"] = "gpt-4o",
        };
        foreach (var (key, value) in settings)
        {
            values[$"LlmKit:Providers:main:Settings:{key}"] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
