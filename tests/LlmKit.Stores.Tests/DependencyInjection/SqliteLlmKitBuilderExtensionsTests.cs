using LlmKit.Stores.Tests.Sqlite;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Stores.Tests.DependencyInjection;

public sealed class SqliteLlmKitBuilderExtensionsTests : IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteLlmKitBuilderExtensionsTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    [Fact]
    public void UseSqliteStores_AfterAddLlmKit_ReplacesTheInMemoryStores()
    {
        string connectionString = _files.NewConnectionString();
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.UseSqliteStores(connectionString));
        using var sp = services.BuildServiceProvider();

        var store = Assert.IsType<SqliteConversationStore>(sp.GetRequiredService<IConversationStore>());
        var ledger = Assert.IsType<SqliteUsageLedger>(sp.GetRequiredService<IUsageLedger>());
        Assert.Same(store, sp.GetRequiredService<IConversationStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IUsageLedger));
        Assert.Equal(store.DataSource, ledger.DataSource);
        Assert.Equal(store.DataSource, Assert.IsType<SqliteTemplateStore>(sp.GetRequiredService<ITemplateStore>()).DataSource);
        Assert.Equal(store.DataSource, Assert.IsType<SqliteBudgetStore>(sp.GetRequiredService<IBudgetStore>()).DataSource);
        Assert.Single(services, d => d.ServiceType == typeof(ITemplateStore));
        Assert.Single(services, d => d.ServiceType == typeof(IBudgetStore));
    }

    [Fact]
    public async Task UseSqliteStores_CallThroughThePipeline_IsRecordedInTheDatabaseFile()
    {
        string connectionString = _files.NewConnectionString();
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddProvider("p", _ => new ScriptedChatClient().ReturnsText("hello", new UsageDetails { InputTokenCount = 12, OutputTokenCount = 3, TotalTokenCount = 15 }))
            .UseSqliteStores(connectionString));
        await using (var sp = services.BuildServiceProvider())
        {
            await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-4o" });
        }

        var totals = await new SqliteUsageLedger(connectionString).GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(12, totals.InputTokens);
        Assert.Equal(3, totals.OutputTokens);
    }

    [Fact]
    public void UseSqliteStores_BadArguments_Throw()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentNullException>(() => SqliteLlmKitBuilderExtensions.UseSqliteStores(null!, "Data Source=x.db"));
        services.AddLlmKit(kit => Assert.ThrowsAny<ArgumentException>(() => kit.UseSqliteStores(" ")));
    }
}
