using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.DependencyInjection;

public class LlmKitOptionsValidatorTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static LlmKitConfigurationException Fails(IConfiguration configuration, Action<ILlmKitBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit =>
        {
            kit.AddProviderType("Stub", (_, s) => new StubChatClient(s.Name));
            configure?.Invoke(kit);
        });
        using var sp = services.BuildServiceProvider();
        return Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);
    }

    [Fact]
    public void Validate_BaseUrlWithOtherSchemeAndUserInfo_NamesTheSchemeWithoutTheSecret()
    {
        var ex = Fails(Config(("LlmKit:Providers:p:Type", "Stub"), ("LlmKit:Providers:p:BaseUrl", "ftp://user:CANARY-SECRET@files.example.com/")));

        Assert.Equal(["LlmKit:Providers:p:BaseUrl"], ex.Keys);
        Assert.Contains("scheme is 'ftp'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ApiKeyWithLineBreakInside_NamesTheKeyWithoutTheValue()
    {
        var ex = Fails(Config(("LlmKit:Providers:p:Type", "Stub"), ("LlmKit:Providers:p:ApiKey", "sk-CANARY\nsecond-line")));

        Assert.Equal(["LlmKit:Providers:p:ApiKey"], ex.Keys);
        Assert.DoesNotContain("CANARY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConnectionInCodeAndConfiguration_IsRefusedNamingBoth()
    {
        var ex = Fails(Config(("LlmKit:Providers:local:Type", "Stub")), kit => kit.AddProvider("local", _ => new StubChatClient()));

        Assert.Equal(["LlmKit:Providers:local"], ex.Keys);
        Assert.Contains("also registered in code", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ModelWithDeploymentsInCodeAndConfiguration_IsRefusedNamingBoth()
    {
        var ex = Fails(
            Config(("LlmKit:Models:smart:Deployments:0:Provider", "p"), ("LlmKit:Models:smart:Deployments:0:Model", "m1")),
            kit => kit.AddProvider("p", _ => new StubChatClient()).AddModel("smart", "p", "m2"));

        Assert.Equal(["LlmKit:Models:smart"], ex.Keys);
        Assert.Contains("both in configuration (with 1 deployment(s)) and in code (kit.AddModel(\"smart\", ...))", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddModel_ConfigurationWithRoutingSettingsOnly_MergesThemWithTheCodeDeployments()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(
            Config(("LlmKit:Models:smart:Strategy", "LeastBusy"), ("LlmKit:Models:smart:Fallbacks:0", "fast")),
            kit => kit.AddProvider("p", _ => new StubChatClient()).AddModel("smart", "p", "m-big").AddModel("fast", "p", "m-small"));
        using var sp = services.BuildServiceProvider();

        var smart = sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.Models["smart"];

        Assert.Equal(RoutingStrategy.LeastBusy, smart.Strategy);
        Assert.Equal(["fast"], smart.Fallbacks);
        Assert.Equal("m-big", Assert.Single(smart.Deployments).Model);
    }

    [Fact]
    public async Task HostStart_ConnectionThatCannotBeCreated_FailsNamingTheConnectionWithoutItsKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("LlmKit:Providers:remote:Type", "NeedsKey"), new("LlmKit:Providers:remote:Headers:X-Token", "CANARY-HEADER")]);
        builder.Services.AddLlmKit(kit => kit
            .AddProviderType("NeedsKey", (_, s) => s.ApiKey is null
                ? throw new LlmKitConfigurationException("The NeedsKey provider needs an API key; the header CANARY-HEADER is not one. Set 'LlmKit:Providers:<name>:ApiKey'.", ["LlmKit:Providers:<name>:ApiKey"])
                : new StubChatClient())
            .AddProvider("fine", _ => new StubChatClient()));
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => host.StartAsync());

        Assert.Equal(["LlmKit:Providers:remote:ApiKey"], ex.Keys);
        Assert.Contains("provider connection 'remote' (configured under 'LlmKit:Providers:remote')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'LlmKit:Providers:remote:ApiKey'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_KeylessOpenAICompatibleConnection_StartsWithoutAKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([
            new("LlmKit:Providers:gateway:Type", "OpenAI"),
            new("LlmKit:Providers:gateway:BaseUrl", "http://127.0.0.1:9/v1/"),
            new("LlmKit:Providers:gateway:Keyless", "true"),
            new("LlmKit:Providers:paid:Type", "Groq"),
            new("LlmKit:Providers:paid:ApiKey", "  gsk-from-a-file-with-a-newline\n"),
        ]);
        builder.Services.AddLlmKit(kit => kit.AddOpenAIProviderTypes());
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.NotNull(host.Services.GetRequiredService<IChatClient>());
    }

    [Fact]
    public async Task HostStart_MisspelledProviderSetting_FailsNamingItsFullPath()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([
            new("LlmKit:Providers:lan:Type", "vLLM"),
            new("LlmKit:Providers:lan:Settings:Organisation", "acme"),
        ]);
        builder.Services.AddLlmKit(kit => kit.AddOpenAIProviderTypes());
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => host.StartAsync());

        Assert.Equal(["LlmKit:Providers:lan:Settings:Organisation"], ex.Keys);
        Assert.Contains("known keys: ApiVersion, IncludeStreamUsage, Organization, Project", ex.Message, StringComparison.Ordinal);
    }
}
