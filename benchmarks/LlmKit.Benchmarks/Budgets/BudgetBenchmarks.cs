using BenchmarkDotNet.Attributes;

namespace LlmKit.Benchmarks;

/// <summary>
/// One budget admission plus its settlement in memory (issue 5: under 2 µs): <see cref="BudgetManager.ReserveAsync"/>
/// then <see cref="BudgetManager.SettleAsync"/> on the <see cref="InMemoryBudgetStore"/>, against one budget, and
/// against three at once (a global monthly USD budget, a per-tenant daily USD budget aligned to Europe/Berlin and a
/// per-user rolling hourly token budget). Limits are high, so every call is admitted and no alert fires.
/// </summary>
[MemoryDiagnoser]
public class BudgetBenchmarks
{
    private static readonly LlmRequestContext Context = new() { TenantId = "acme", UserId = "u42" };
    private BudgetManager _one = null!;
    private BudgetManager _three = null!;

    /// <summary>Builds the managers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var tenantDaily = new BudgetDefinition { Id = "tenant-daily", Scope = new BudgetScope(BudgetScopeKind.Tenant, "*"), Limit = 1_000_000_000m, Period = BudgetPeriod.Day, TimeZoneId = "Europe/Berlin" };
        _one = new BudgetManager([tenantDaily], new InMemoryBudgetStore());
        _three = new BudgetManager(
            [
                new BudgetDefinition { Id = "global-monthly", Scope = BudgetScope.Global, Limit = 1_000_000_000m },
                tenantDaily,
                new BudgetDefinition { Id = "user-hourly-tokens", Scope = new BudgetScope(BudgetScopeKind.User, "*"), Unit = BudgetUnit.Tokens, Limit = 1_000_000_000_000m, Period = BudgetPeriod.Hour, IsRolling = true },
            ],
            new InMemoryBudgetStore());
    }

    /// <summary>Reserve and settle against one budget.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true, Description = "reserve + settle, 1 budget")]
    public ValueTask OneBudget() => Run(_one);

    /// <summary>Reserve and settle against three budgets.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Description = "reserve + settle, 3 budgets (USD month, USD day in Berlin, rolling token hour)")]
    public ValueTask ThreeBudgets() => Run(_three);

    private static async ValueTask Run(BudgetManager manager)
    {
        var reservation = await manager.ReserveAsync(new BudgetAdmissionRequest { RequestId = "call-1", Context = Context, Model = "gpt-4o", EstimatedUsd = 0.01002m, EstimatedTokens = 1_008 }).ConfigureAwait(false);
        await manager.SettleAsync(reservation, 0.0075m, 1_500).ConfigureAwait(false);
    }
}
