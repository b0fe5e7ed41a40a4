using LlmKit.Tests.Templates.Store;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Stores.Tests.Sqlite;

public sealed class SqliteTemplateStoreTests : TemplateStoreContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteTemplateStoreTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    protected override ITemplateStore CreateStore(TimeProvider timeProvider) => new SqliteTemplateStore(_files.NewConnectionString(), timeProvider);

    protected override ITemplateStore OpenAgain(ITemplateStore store, TimeProvider timeProvider)
        => new SqliteTemplateStore($"Data Source={((SqliteTemplateStore)store).DataSource}", timeProvider);

    [Fact]
    public async Task GetAsync_NewInstanceOnTheSameFile_KeepsVersionsAndLabels()
    {
        string connectionString = _files.NewConnectionString();
        var first = new SqliteTemplateStore(connectionString, new FakeTimeProvider(Start));
        await first.SaveAsync(Template("greet", "one"));
        await first.SaveAsync(Template("greet", "two"));
        await first.SetLabelAsync("greet", "production", 1);

        var reopened = new SqliteTemplateStore(connectionString);

        var production = (await reopened.GetAsync("greet", label: "production"))!;
        Assert.Equal((1, "one", Start), (production.Version, production.Messages[1].Template, production.CreatedAt));
        Assert.Equal(3, (await reopened.SaveAsync(Template("greet", "three"))).Version);
    }

    [Fact]
    public async Task SaveAsync_TemplateWithoutMessages_ThrowsAndStoresNothing()
    {
        var store = new SqliteTemplateStore(_files.NewConnectionString());

        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(new PromptTemplate { Id = "x", Messages = [] }));
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task GetAsync_ModelHintAdditionalProperties_RoundTripAsJson()
    {
        var store = new SqliteTemplateStore(_files.NewConnectionString());
        var hints = new TemplateModelHints { AdditionalProperties = new Dictionary<string, object?> { ["reasoning_effort"] = "low", ["top_k"] = 40 } };
        await store.SaveAsync(new PromptTemplate { Id = "x", Messages = [new(ChatRole.User, "hi")], ModelHints = hints });

        var stored = (await store.GetAsync("x"))!.ModelHints!.AdditionalProperties;

        Assert.Equal("\"low\"", Assert.IsType<System.Text.Json.JsonElement>(stored["reasoning_effort"]).GetRawText());
        Assert.Equal("40", Assert.IsType<System.Text.Json.JsonElement>(stored["top_k"]).GetRawText());
    }
}
