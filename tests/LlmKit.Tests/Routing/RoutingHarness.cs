using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Routing;

/// <summary>
/// An AddLlmKit() pipeline over scripted provider connections <c>a</c>, <c>b</c>, <c>c</c> on a fake clock, with the catalog
/// models <c>m-small</c> (8,000-token window, cheap), <c>m-tiny</c> (4,000), <c>m-big</c> (200,000, dear) and
/// <c>m-notools</c> (no tool calling). Retries are off unless a test turns them on, so each scripted step is one attempt.
/// </summary>
internal sealed class RoutingHarness : IDisposable
{
    public RoutingHarness(Action<LlmKitOptions> configure, int maxRetries = 0, Action<ChatPipelineBuilder>? pipeline = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        A = new ScriptedChatClient(Time) { ProviderName = "a" };
        B = new ScriptedChatClient(Time) { ProviderName = "b" };
        C = new ScriptedChatClient(Time) { ProviderName = "c" };
        Ledger = new InMemoryUsageLedger();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IUsageLedger>(Ledger);
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("a", _ => A).AddProvider("b", _ => B).AddProvider("c", _ => C);
            kit.Configure(o =>
            {
                o.DefaultProvider = "a";
                o.Resilience.MaxRetries = maxRetries;
                o.Catalog["m-small"] = Entry(8_000, 1m, 2m, ["Chat", "Streaming", "Tools"]);
                o.Catalog["m-tiny"] = Entry(4_000, 0.5m, 1m, ["Chat", "Streaming", "Tools"]);
                o.Catalog["m-big"] = Entry(200_000, 10m, 30m, ["Chat", "Streaming", "Tools"]);
                o.Catalog["m-notools"] = Entry(8_000, 1m, 2m, ["Chat", "Streaming"]);
                configure(o);
            });
            pipeline?.Invoke(kit.Pipeline);
        });
        Services = services.BuildServiceProvider();
        Client = Services.GetRequiredService<IChatClient>();
    }

    public FakeTimeProvider Time { get; }

    public ScriptedChatClient A { get; }

    public ScriptedChatClient B { get; }

    public ScriptedChatClient C { get; }

    public InMemoryUsageLedger Ledger { get; }

    public ServiceProvider Services { get; }

    public IChatClient Client { get; }

    public ModelPerformanceStatistics Statistics => Services.GetRequiredService<ModelPerformanceStatistics>();

    public static LogicalModelOptions Model(RoutingStrategy strategy, params DeploymentOptions[] deployments)
    {
        var model = new LogicalModelOptions { Strategy = strategy };
        model.Deployments.AddRange(deployments);
        return model;
    }

    public static DeploymentOptions Deployment(string provider, string model, int priority = 0, int weight = 1) => new()
    {
        Provider = provider,
        Model = model,
        Priority = priority,
        Weight = weight,
    };

    public Task<ChatResponse> AskAsync(string model, ChatOptions? options = null)
    {
        options ??= new ChatOptions();
        options.ModelId = model;
        return FakeTime.DriveAsync(Time, Client.GetResponseAsync("hello", options));
    }

    public ModelPerformanceSnapshot Deployment(string name) => Statistics.GetSnapshot().Deployments.Single(d => d.Name == name);

    public void Dispose() => Services.Dispose();

    private static ModelCatalogEntryOptions Entry(int window, decimal input, decimal output, List<string> capabilities) => new()
    {
        Provider = "test",
        ContextWindow = window,
        Capabilities = capabilities,
        Pricing = new ModelPricing { InputPerMillion = input, OutputPerMillion = output },
    };
}
