using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.Budgets;

/// <summary>The in-memory budget store of the LlmKit package against the same contract as the durable stores.</summary>
public sealed class InMemoryBudgetStoreContractTests : BudgetStoreContractTests
{
    protected override Task<IBudgetStore> CreateStoreAsync() => Task.FromResult<IBudgetStore>(new InMemoryBudgetStore());
}
