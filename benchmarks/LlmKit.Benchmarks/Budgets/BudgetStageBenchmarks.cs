using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks;

/// <summary>
/// What the budget stage adds to a non-streaming call through the default <c>AddLlmKit()</c> pipeline: without budgets
/// (the stage is left out), with a tenant budget the call is not covered by (no estimate is made), and with a global USD
/// budget (count the prompt's tokens, price the estimate, reserve, call, price the usage, settle).
/// </summary>
[MemoryDiagnoser]
public class BudgetStageBenchmarks
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Say hello.")];
    private readonly ChatOptions _options = new() { ModelId = "gpt-4o", MaxOutputTokens = 500 };
    private ServiceProvider _none = null!;
    private ServiceProvider _uncovered = null!;
    private ServiceProvider _global = null!;
    private IChatClient _noneClient = null!;
    private IChatClient _uncoveredClient = null!;
    private IChatClient _globalClient = null!;

    /// <summary>Builds the three pipelines over one canned provider client.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var provider = new CannedChatClient(PipelineOverheadBenchmarks.Chunks);
        _none = Build(provider, null);
        _uncovered = Build(provider, new BudgetDefinition { Id = "tenants", Scope = new BudgetScope(BudgetScopeKind.Tenant, "*"), Limit = 1_000_000_000m });
        _global = Build(provider, new BudgetDefinition { Id = "global", Scope = BudgetScope.Global, Limit = 1_000_000_000m, AlertThresholds = [] });
        _noneClient = _none.GetRequiredService<IChatClient>();
        _uncoveredClient = _uncovered.GetRequiredService<IChatClient>();
        _globalClient = _global.GetRequiredService<IChatClient>();
    }

    /// <summary>Disposes the service providers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _none.Dispose();
        _uncovered.Dispose();
        _global.Dispose();
    }

    /// <summary>The default pipeline without budgets.</summary>
    /// <returns>The response.</returns>
    [Benchmark(Baseline = true, Description = "default pipeline, no budgets")]
    public Task<ChatResponse> NoBudgets() => _noneClient.GetResponseAsync(_messages, _options);

    /// <summary>A budget exists but does not cover the call.</summary>
    /// <returns>The response.</returns>
    [Benchmark(Description = "default pipeline, a tenant budget, call without tenant")]
    public Task<ChatResponse> Uncovered() => _uncoveredClient.GetResponseAsync(_messages, _options);

    /// <summary>A global USD budget admits and settles the call.</summary>
    /// <returns>The response.</returns>
    [Benchmark(Description = "default pipeline, a global USD budget")]
    public Task<ChatResponse> GlobalBudget() => _globalClient.GetResponseAsync(_messages, _options);

    private static ServiceProvider Build(CannedChatClient provider, BudgetDefinition? budget)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IUsageLedger, DiscardingUsageLedger>();
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("openai", _ => provider);
            if (budget is not null)
            {
                kit.AddBudget(budget);
            }
        });
        return services.BuildServiceProvider();
    }
}
