using LlmKit.Tests.Templates.Store;

namespace LlmKit.Stores.Tests.Templates;

/// <summary>The in-memory template store against the contract shared with the durable stores (linked from LlmKit.Tests).</summary>
public sealed class InMemoryTemplateStoreContractTests : TemplateStoreContractTests
{
    protected override ITemplateStore CreateStore(TimeProvider timeProvider) => new InMemoryTemplateStore(timeProvider);
}
