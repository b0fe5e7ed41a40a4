using System.Text.Json;
using LlmKit.Testing;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Store;

/// <summary>
/// The behaviour every <see cref="ITemplateStore"/> must have. A store's test class derives from this one and
/// creates an empty store in <see cref="CreateStore"/> (the SQLite and PostgreSQL stores reuse it).
/// </summary>
public abstract class TemplateStoreContractTests
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Creates an empty store that stamps versions with <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The store.</returns>
    protected abstract ITemplateStore CreateStore(TimeProvider timeProvider);

    protected static PromptTemplate Template(string id, string text = "Hello {{name}}") => new()
    {
        Id = id,
        Name = "Greeting",
        Description = "Greets someone",
        Tags = ["greeting", "demo"],
        Inputs =
        [
            new TemplateInput { Name = "name", Description = "who", AllowedValues = ["Ann", "Bob"] },
            new TemplateInput { Name = "count", Type = TemplateInputType.Integer, IsRequired = false, Default = JsonDocument.Parse("2").RootElement.Clone(), JsonSchema = JsonDocument.Parse("""{"type":"integer","minimum":1}""").RootElement.Clone() },
        ],
        Messages = [new(ChatRole.System, "Be kind."), new(ChatRole.User, text)],
        ModelHints = new TemplateModelHints { Model = "smart", Temperature = 0.5f, TopP = 0.8f, MaxOutputTokens = 100, ResponseFormat = "json", StopSequences = ["END"], Seed = 3 },
        Tools = ["search"],
        Metadata = new Dictionary<string, string> { ["owner"] = "team-a" },
    };

    [Fact]
    public async Task SaveAsync_NewVersions_AreNumberedFromOneWithLatestOnTheNewest()
    {
        var time = new FakeTimeProvider(Start);
        var store = CreateStore(time);

        var v1 = await store.SaveAsync(Template("greet") with { Version = 42, Labels = ["production"] });
        time.Advance(TimeSpan.FromMinutes(5));
        var v2 = await store.SaveAsync(Template("greet", "Hi {{name}}"));

        Assert.Equal((1, Start), (v1.Version, v1.CreatedAt));
        Assert.Equal(["latest"], v1.Labels);
        Assert.Equal((2, Start.AddMinutes(5)), (v2.Version, v2.CreatedAt));
        Assert.Equal(["latest"], v2.Labels);
        Assert.Empty((await store.GetAsync("greet", 1))!.Labels);
    }

    [Fact]
    public async Task GetAsync_StoredVersion_KeepsEveryField()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        var original = Template("greet");
        await store.SaveAsync(original);

        var stored = (await store.GetAsync("greet", 1))!;

        Assert.Equal((original.Id, original.Name, original.Description), (stored.Id, stored.Name, stored.Description));
        Assert.Equal(original.Tags, stored.Tags);
        Assert.Equal(original.Messages, stored.Messages);
        Assert.Equal(original.Tools, stored.Tools);
        Assert.Equal(original.Metadata, stored.Metadata);
        Assert.Equal(
            original.Inputs.Select(i => (i.Name, i.Type, i.IsRequired, i.Description, i.Default?.GetRawText(), string.Join(",", i.AllowedValues), i.JsonSchema?.GetRawText())),
            stored.Inputs.Select(i => (i.Name, i.Type, i.IsRequired, i.Description, i.Default?.GetRawText(), string.Join(",", i.AllowedValues), i.JsonSchema?.GetRawText())));
        var (a, b) = (original.ModelHints!, stored.ModelHints!);
        Assert.Equal((a.Model, a.Temperature, a.TopP, a.MaxOutputTokens, a.ResponseFormat, a.Seed), (b.Model, b.Temperature, b.TopP, b.MaxOutputTokens, b.ResponseFormat, b.Seed));
        Assert.Equal(a.StopSequences, b.StopSequences);
    }

    [Fact]
    public async Task GetAsync_ByVersionLabelOrNothing_ResolvesTheRightVersion()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        await store.SaveAsync(Template("greet", "one"));
        await store.SaveAsync(Template("greet", "two"));
        await store.SaveAsync(Template("greet", "three"));
        await store.SetLabelAsync("greet", "production", 2);

        Assert.Equal(3, (await store.GetAsync("greet"))!.Version);
        Assert.Equal(2, (await store.GetAsync("greet", label: "production"))!.Version);
        Assert.Equal(1, (await store.GetAsync("greet", version: 1, label: "production"))!.Version);
        Assert.Equal(["production"], (await store.GetAsync("greet", version: 2))!.Labels);
        Assert.Null(await store.GetAsync("greet", version: 4));
        Assert.Null(await store.GetAsync("greet", label: "canary"));
        Assert.Null(await store.GetAsync("nope"));
    }

    [Fact]
    public async Task SetLabelAsync_ExistingLabel_MovesItToTheOtherVersion()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        await store.SaveAsync(Template("greet", "one"));
        await store.SaveAsync(Template("greet", "two"));

        await store.SetLabelAsync("greet", "production", 1);
        await store.SetLabelAsync("greet", "canary", 1);
        await store.SetLabelAsync("greet", "production", 2);

        var versions = await store.GetVersionsAsync("greet");
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(["canary"], versions[0].Labels);
        Assert.Equal(["latest", "production"], versions[1].Labels.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetLabelAsync_BadTargets_Throw()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        await store.SaveAsync(Template("greet"));

        await Assert.ThrowsAsync<ArgumentException>(() => store.SetLabelAsync("greet", "latest", 1));
        var missingVersion = await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.SetLabelAsync("greet", "production", 9));
        Assert.Equal(9, missingVersion.Version);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.SetLabelAsync("ghost", "production", 1));
    }

    [Fact]
    public async Task ListAsync_SeveralTemplates_ReturnsTheLatestOfEachById()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        await store.SaveAsync(Template("zeta"));
        await store.SaveAsync(Template("alpha", "a1"));
        await store.SaveAsync(Template("alpha", "a2"));

        var list = await store.ListAsync();

        Assert.Equal([("alpha", 2), ("zeta", 1)], list.Select(t => (t.Id, t.Version)));
        Assert.Equal("a2", list[0].Messages[1].Template);
        Assert.Empty(await store.GetVersionsAsync("nope"));
    }

    [Fact]
    public async Task SaveAsync_Concurrent_GivesEverySaveItsOwnConsecutiveVersion()
    {
        var store = CreateStore(new FakeTimeProvider(Start));

        var saved = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => store.SaveAsync(Template("busy", $"text {i}")))));

        Assert.Equal(Enumerable.Range(1, 50), saved.Select(s => s.Version).Order());
        var versions = await store.GetVersionsAsync("busy");
        Assert.Equal(50, versions.Count);
        // Every saved text is stored exactly once, under the version the save returned.
        Assert.All(saved, s => Assert.Equal(s.Messages[1].Template, versions[s.Version - 1].Messages[1].Template));
        Assert.Equal(50, (await store.GetAsync("busy"))!.Version);
    }

    [Fact]
    public async Task SetLabelAsync_ConcurrentMoves_LeaveTheLabelOnExactlyOneVersion()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        for (int i = 0; i < 5; i++)
        {
            await store.SaveAsync(Template("moving", $"v{i}"));
        }

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => store.SetLabelAsync("moving", "production", (i % 5) + 1))));

        var labelled = (await store.GetVersionsAsync("moving")).Where(v => v.Labels.Contains("production")).ToList();
        Assert.Single(labelled);
        Assert.Equal(labelled[0].Version, (await store.GetAsync("moving", label: "production"))!.Version);
    }
}
