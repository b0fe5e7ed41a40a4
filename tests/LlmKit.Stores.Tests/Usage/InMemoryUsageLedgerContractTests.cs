using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.Usage;

/// <summary>The in-memory ledger of the LlmKit package against the same contract as the durable ledgers.</summary>
public sealed class InMemoryUsageLedgerContractTests : UsageLedgerContractTests
{
    protected override Task<IUsageLedger> CreateLedgerAsync() => Task.FromResult<IUsageLedger>(new InMemoryUsageLedger());
}
