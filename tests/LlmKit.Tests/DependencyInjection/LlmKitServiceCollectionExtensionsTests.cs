using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.DependencyInjection;

public class LlmKitServiceCollectionExtensionsTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static ILlmKitBuilder AddStubType(ILlmKitBuilder kit, List<ProviderConnectionSettings>? created = null)
        => kit.AddProviderType("Stub", (_, settings) =>
        {
            created?.Add(settings);
            return new StubChatClient(settings.Name);
        });

    [Fact]
    public async Task AddLlmKit_ConfigurationSection_BindsProvidersModelsAndDefaults()
    {
        var created = new List<ProviderConnectionSettings>();
        var config = Config(
            ("LlmKit:DefaultModel", "smart"),
            ("LlmKit:Providers:local:Type", "stub"),
            ("LlmKit:Providers:local:BaseUrl", "http://127.0.0.1:11434/v1/"),
            ("LlmKit:Providers:local:ApiKey", "sk-secret-value"),
            ("LlmKit:Providers:local:Headers:X-Team", "search"),
            ("LlmKit:Models:smart:Deployments:0:Provider", "local"),
            ("LlmKit:Models:smart:Deployments:0:Model", "llama3"),
            ("LlmKit:Telemetry:RecordMessageContent", "true"));
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => AddStubType(kit, created));
        using var sp = services.BuildServiceProvider();

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var options = sp.GetRequiredService<IOptions<LlmKitOptions>>().Value;
        Assert.True(options.Telemetry.RecordMessageContent);
        var settings = Assert.Single(created);
        Assert.Equal("local", settings.Name);
        Assert.Equal(new Uri("http://127.0.0.1:11434/v1/"), settings.BaseUrl);
        Assert.Equal("search", settings.Headers["X-Team"]);
        Assert.Equal("local/llama3", Route(response).Deployment.Name);
        Assert.DoesNotContain("sk-secret-value", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddLlmKit_WithoutConfigurationArgument_BindsFromRegisteredIConfiguration()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Config(("LlmKit:DefaultModel", "m1"), ("LlmKit:Providers:one:Type", "Stub")));
        services.AddLlmKit(kit => AddStubType(kit));
        using var sp = services.BuildServiceProvider();

        Assert.Equal("m1", sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.DefaultModel);
    }

    [Fact]
    public void AddLlmKit_CodeConfigurationAfterBinding_WinsOverConfiguration()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Config(("LlmKit:DefaultModel", "from-config")), kit => kit.AddProvider("p", _ => new StubChatClient()).UseDefaultModel("from-code"));
        using var sp = services.BuildServiceProvider();

        Assert.Equal("from-code", sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.DefaultModel);
    }

    [Fact]
    public void Options_UnknownProviderType_ThrowsConfigurationExceptionNamingTheKey()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Config(("LlmKit:Providers:main:Type", "Nonexistent")), kit => AddStubType(kit));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Contains("LlmKit:Providers:main:Type", ex.Keys);
        Assert.Contains("'Nonexistent'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Stub", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_SeveralProblems_ListsEveryKeyAtOnce()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(
            Config(
                ("LlmKit:Providers:a:Type", "Stub"),
                ("LlmKit:Providers:a:BaseUrl", "relative/path"),
                ("LlmKit:Models:smart:Deployments:0:Provider", "ghost"),
                ("LlmKit:Models:smart:Deployments:0:Model", ""),
                ("LlmKit:Models:smart:Deployments:0:Weight", "0"),
                ("LlmKit:DefaultProvider", "nobody")),
            kit => AddStubType(kit));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Equal(
            ["LlmKit:Providers:a:BaseUrl", "LlmKit:Models:smart:Deployments:0:Provider", "LlmKit:Models:smart:Deployments:0:Model", "LlmKit:Models:smart:Deployments:0:Weight", "LlmKit:DefaultProvider"],
            ex.Keys);
    }

    [Fact]
    public void Options_DefaultModelWithoutDefaultProvider_ThrowsNamingDefaultModel()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Config(("LlmKit:DefaultModel", "gpt-x")), kit => kit.AddProvider("a", _ => new StubChatClient()).AddProvider("b", _ => new StubChatClient()));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.Contains("LlmKit:DefaultModel", ex.Keys);
    }

    [Fact]
    public void Options_UnparseableValue_ThrowsConfigurationExceptionNamingThePath()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Config(("LlmKit:Models:m:Deployments:0:Weight", "heavy")));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Contains("LlmKit:Models:m:Deployments:0:Weight", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_InvalidConfiguration_FailsAtStartUpWithLlmKitException()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("LlmKit:Models:smart:Deployments:0:Provider", "missing"), new("LlmKit:Models:smart:Deployments:0:Model", "x")]);
        builder.Services.AddLlmKit();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => host.StartAsync());

        Assert.Contains("LlmKit:Models:smart:Deployments:0:Provider", ex.Keys);
    }

    [Fact]
    public void AddProvider_SameNameTwice_ThrowsConfigurationException()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => services.AddLlmKit(kit => kit.AddProvider("x", _ => new StubChatClient()).AddProvider("X", _ => new StubChatClient())));

        Assert.Contains("'X'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoProviderRegistered_ThrowsModelNotFoundSayingSo()
    {
        var services = new ServiceCollection();
        services.AddLlmKit();
        using var sp = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<ModelNotFoundException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ModelId = "gpt-4o" }));

        Assert.Equal("gpt-4o", ex.ModelId);
        Assert.Contains("0 provider connections", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_MisspelledKey_ThrowsConfigurationExceptionNamingIt()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Config(("LlmKit:DefaultModle", "x")));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Contains("DefaultModle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_UnparseableScalar_ThrowsConfigurationExceptionNamingThePath()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(Config(("LlmKit:Telemetry:RecordMessageContent", "maybe")));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Contains("LlmKit:Telemetry:RecordMessageContent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLlmKit_CalledTwice_SharesOnePipelineAndRegistersOneDefaultClient()
    {
        var services = new ServiceCollection();
        var first = services.AddLlmKit(kit => kit.Pipeline.Add("custom", (_, c) => c));
        var second = services.AddLlmKit();

        Assert.Same(first.Pipeline, second.Pipeline);
        Assert.Single(services, d => d.ServiceType == typeof(IChatClient) && !d.IsKeyedService);
    }

    [Fact]
    public void AddLlmKit_DefaultPipeline_HasTelemetryStructuredOutputToolLoopGuardsCacheBudgetThenMetering()
    {
        var services = new ServiceCollection();

        var kit = services.AddLlmKit();

        Assert.Equal([PipelineStageNames.Telemetry, PipelineStageNames.StructuredOutput, PipelineStageNames.ToolLoop, PipelineStageNames.InputGuard, PipelineStageNames.ResponseCache, PipelineStageNames.OutputGuard, PipelineStageNames.Budget, PipelineStageNames.Metering], kit.Pipeline.StageNames);
    }

    [Fact]
    public async Task Pipeline_StageAddedThroughBuilder_RunsInResolvedClient()
    {
        var log = new List<string>();
        var services = new ServiceCollection();
        var kit = services.AddLlmKit(kit =>
        {
            kit.AddProvider("p", _ => new StubChatClient()).UseDefaultModel("m");
            kit.Pipeline.AddFirst("outer", (_, inner) => new OrderRecordingStage(inner, "outer", log));
            kit.Pipeline.Add("inner", (_, inner) => new OrderRecordingStage(inner, "inner", log));
        });
        using var sp = services.BuildServiceProvider();

        await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Equal(["outer", PipelineStageNames.Telemetry, PipelineStageNames.StructuredOutput, PipelineStageNames.ToolLoop, PipelineStageNames.InputGuard, PipelineStageNames.ResponseCache, PipelineStageNames.OutputGuard, PipelineStageNames.Budget, PipelineStageNames.Metering, "inner"], kit.Pipeline.StageNames);
        Assert.Equal(["in:outer", "in:inner", "out:inner", "out:outer"], log);
    }
}
