using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

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

    /// <summary>
    /// Opens a second store over the same data as <paramref name="store"/>, as another process or machine would: a new
    /// instance on the same database for the durable stores, the same instance for the in-memory store.
    /// </summary>
    /// <param name="store">A store made by <see cref="CreateStore"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The second store.</returns>
    protected virtual ITemplateStore OpenAgain(ITemplateStore store, TimeProvider timeProvider) => store;

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
    public async Task SaveAsync_TextAndMetadataWithNul_RoundTripExactly()
    {
        var store = CreateStore(new FakeTimeProvider(Start));

        await store.SaveAsync(Template("t1", "Hi\0{{name}}") with { Metadata = new Dictionary<string, string> { ["owner"] = "a\0b" } });
        var loaded = (await store.GetAsync("t1"))!;

        Assert.Equal("Hi\0{{name}}", loaded.Messages[1].Template);
        Assert.Equal("a\0b", loaded.Metadata["owner"]);
    }

    [Fact]
    public async Task Identifiers_WithNul_ThrowArgumentExceptionNamingTheFieldAndStoreNothing()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        await store.SaveAsync(Template("t1"));

        var save = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SaveAsync(Template("t\02")));
        var label = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SetLabelAsync("t1", "prod\0", 1));
        var experiment = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DefineExperimentAsync(new TemplateExperiment
        {
            Id = "e\01",
            TemplateId = "t1",
            Variants = [new TemplateExperimentVariant("a", 1, 1), new TemplateExperimentVariant("b", 1, 1)],
        }));
        var variant = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DefineExperimentAsync(new TemplateExperiment
        {
            Id = "e1",
            TemplateId = "t1",
            Variants = [new TemplateExperimentVariant("a\0", 1, 1), new TemplateExperimentVariant("b", 1, 1)],
        }));
        var score = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RecordScoreAsync("t\01", 1, 0.5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync("t\01"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync("t1", label: "prod\0"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetVersionsAsync("t\01"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetExperimentAsync("e\01"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListExperimentsAsync("t\01"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetVersionScoresAsync("t\01"));

        Assert.Contains("template id contains a NUL character", save.Message, StringComparison.Ordinal);
        Assert.Contains("label contains a NUL character", label.Message, StringComparison.Ordinal);
        Assert.Contains("experiment id contains a NUL character", experiment.Message, StringComparison.Ordinal);
        Assert.Contains("variant name contains a NUL character", variant.Message, StringComparison.Ordinal);
        Assert.Contains("template id contains a NUL character", score.Message, StringComparison.Ordinal);
        Assert.Equal(["t1"], (await store.ListAsync()).Select(t => t.Id));
        Assert.Equal(["latest"], (await store.GetAsync("t1"))!.Labels);
        Assert.Empty(await store.ListExperimentsAsync());
        Assert.Empty(await store.GetVersionScoresAsync("t1"));
    }

    [Fact]
    public async Task Identifiers_WithLoneSurrogate_ThrowArgumentExceptionNamingTheFieldAndStoreNothing()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        await store.SaveAsync(Template("t1"));

        var save = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SaveAsync(Template("t\uD800")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SaveAsync(Template("t\uDC00")));
        var label = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SetLabelAsync("t1", "prod\uDC00", 1));
        var experiment = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DefineExperimentAsync(new TemplateExperiment
        {
            Id = "e\uD800",
            TemplateId = "t1",
            Variants = [new TemplateExperimentVariant("a", 1, 1), new TemplateExperimentVariant("b", 1, 1)],
        }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync("t\uD800"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync("t1", label: "prod\uD800"));

        Assert.Contains("template id is not well-formed UTF-16", save.Message, StringComparison.Ordinal);
        Assert.Contains("label is not well-formed UTF-16", label.Message, StringComparison.Ordinal);
        Assert.Contains("experiment id is not well-formed UTF-16", experiment.Message, StringComparison.Ordinal);
        Assert.Equal(["t1"], (await store.ListAsync()).Select(t => t.Id));
        Assert.Equal(["latest"], (await store.GetAsync("t1"))!.Labels);
    }

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

    private static TemplateExperiment Experiment(string id = "exp", string templateId = "greet") => new()
    {
        Id = id,
        TemplateId = templateId,
        Variants = [new("control", 1, 1), new("challenger", 2, 3)],
    };

    private static async Task<ITemplateStore> TwoVersionsAsync(ITemplateStore store, string id = "greet")
    {
        await store.SaveAsync(Template(id, "one {{name}}"));
        await store.SaveAsync(Template(id, "two {{name}}"));
        return store;
    }

    [Fact]
    public async Task DefineExperimentAsync_NewExperiment_IsStoredWithItsVariantsInOrder()
    {
        var time = new FakeTimeProvider(Start);
        var store = await TwoVersionsAsync(CreateStore(time));
        await store.SaveAsync(Template("other"));
        await store.SaveAsync(Template("other", "b"));

        var defined = await store.DefineExperimentAsync(Experiment("exp-b") with { CreatedAt = Start.AddYears(-1), EndedAt = Start });
        time.Advance(TimeSpan.FromMinutes(1));
        await store.DefineExperimentAsync(Experiment("exp-a", "other") with { Variants = [new("x", 2, 0.25), new("y", 1, 0.75)] });

        Assert.Equal((Start, (DateTimeOffset?)null), (defined.CreatedAt, defined.EndedAt));
        var stored = (await store.GetExperimentAsync("exp-b"))!;
        Assert.Equal(("exp-b", "greet", Start, (DateTimeOffset?)null), (stored.Id, stored.TemplateId, stored.CreatedAt, stored.EndedAt));
        Assert.Equal([new TemplateExperimentVariant("control", 1, 1), new TemplateExperimentVariant("challenger", 2, 3)], stored.Variants);
        Assert.Null(await store.GetExperimentAsync("missing"));
        Assert.Equal(["exp-a", "exp-b"], (await store.ListExperimentsAsync()).Select(e => e.Id));
        var other = Assert.Single(await store.ListExperimentsAsync("other"));
        Assert.Equal([new TemplateExperimentVariant("x", 2, 0.25), new TemplateExperimentVariant("y", 1, 0.75)], other.Variants);
        Assert.Equal(Start.AddMinutes(1), other.CreatedAt);
        Assert.Empty(await store.ListExperimentsAsync("nope"));
    }

    [Fact]
    public async Task DefineExperimentAsync_SameIdAgain_ReturnsTheStoredOneOrRefusesADifferentOne()
    {
        var time = new FakeTimeProvider(Start);
        var store = await TwoVersionsAsync(CreateStore(time));
        await store.SaveAsync(Template("other"));
        await store.SaveAsync(Template("other", "b"));
        await store.DefineExperimentAsync(Experiment());
        time.Advance(TimeSpan.FromHours(1));

        var again = await store.DefineExperimentAsync(Experiment());

        Assert.Equal(Start, again.CreatedAt);
        var weights = await Assert.ThrowsAsync<TemplateExperimentConflictException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("control", 1, 1), new("challenger", 2, 1)] }));
        Assert.Equal("exp", weights.ExperimentId);
        Assert.Contains("already defined", weights.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TemplateExperimentConflictException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("challenger", 2, 3), new("control", 1, 1)] }));
        await Assert.ThrowsAsync<TemplateExperimentConflictException>(() => store.DefineExperimentAsync(Experiment("exp", "other")));
        var stored = (await store.GetExperimentAsync("exp"))!;
        Assert.Equal(("greet", 3d), (stored.TemplateId, stored.Variants[1].Weight));
    }

    [Fact]
    public async Task DefineExperimentAsync_BadInput_ThrowsAndStoresNothing()
    {
        var store = await TwoVersionsAsync(CreateStore(new FakeTimeProvider(Start)));

        var template = await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.DefineExperimentAsync(Experiment(templateId: "ghost")));
        Assert.Equal("ghost", template.TemplateId);
        var version = await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("control", 1, 1), new("future", 3, 1)] }));
        Assert.Equal(("greet", (int?)3), (version.TemplateId, version.Version));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("only", 1, 1)] }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("a", 1, 1), new("a", 2, 1)] }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("a", 1, 1), new("b", 1, 1)] }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("a", 1, 1), new("b", 2, double.NaN)] }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DefineExperimentAsync(Experiment() with { Variants = [new("a", 1, -1), new("b", 2, 1)] }));

        Assert.Null(await store.GetExperimentAsync("exp"));
        Assert.Empty(await store.ListExperimentsAsync());
    }

    [Fact]
    public async Task EndExperimentAsync_RunningExperiment_KeepsItsFirstEndAndRefusesRedefinition()
    {
        var time = new FakeTimeProvider(Start);
        var store = await TwoVersionsAsync(CreateStore(time));
        await store.DefineExperimentAsync(Experiment());
        time.Advance(TimeSpan.FromDays(2));

        var ended = await store.EndExperimentAsync("exp");
        time.Advance(TimeSpan.FromDays(1));
        var endedAgain = await store.EndExperimentAsync("exp");

        Assert.Equal(Start.AddDays(2), ended.EndedAt);
        Assert.Equal(Start.AddDays(2), endedAgain.EndedAt);
        Assert.Equal(Start.AddDays(2), (await store.GetExperimentAsync("exp"))!.EndedAt);
        Assert.Equal(2, ended.Variants.Count);
        var redefine = await Assert.ThrowsAsync<TemplateExperimentConflictException>(() => store.DefineExperimentAsync(Experiment()));
        Assert.Contains("ended", redefine.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.EndExperimentAsync("ghost"));
    }

    [Fact]
    public async Task RecordScoreAsync_VersionAndVariant_TotalsGiveCountSumMeanAndVariance()
    {
        var store = await TwoVersionsAsync(CreateStore(new FakeTimeProvider(Start)));
        await store.DefineExperimentAsync(Experiment());

        foreach (double score in new[] { 3d, 4, 5, 6, 7 })
        {
            await store.RecordScoreAsync("greet", 2, score, "exp", "challenger");
        }

        await store.RecordScoreAsync("greet", 1, 0.5);

        var versions = await store.GetVersionScoresAsync("greet");
        var variants = await store.GetVariantScoresAsync("exp");
        Assert.Equal([1, 2], versions.Keys.Order());
        Assert.Equal(["challenger"], variants.Keys);
        foreach (var totals in new[] { versions[2], variants["challenger"] })
        {
            // 3..7: sum 25, mean 5, sample variance ((4 + 1 + 0 + 1 + 4) / 4) = 2.5.
            Assert.Equal((5L, 25d, 5d, 2.5), (totals.Count, totals.Sum, totals.Mean, totals.Variance));
        }

        Assert.Equal((1L, 0.5, (double?)null), (versions[1].Count, versions[1].Mean, versions[1].Variance));
        Assert.Empty(await store.GetVersionScoresAsync("nope"));
        Assert.Empty(await store.GetVariantScoresAsync("nope"));
    }

    [Fact]
    public async Task RecordScoreAsync_UnknownVersionExperimentOrVariant_ThrowsAndRecordsNothing()
    {
        var store = await TwoVersionsAsync(CreateStore(new FakeTimeProvider(Start)));
        await store.DefineExperimentAsync(Experiment());

        var version = await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.RecordScoreAsync("greet", 3, 1));
        Assert.Equal(3, version.Version);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.RecordScoreAsync("ghost", 1, 1));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.RecordScoreAsync("greet", 0, 1));
        var variant = await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.RecordScoreAsync("greet", 2, 1, "exp", "nobody"));
        Assert.Contains("'nobody'", variant.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.RecordScoreAsync("greet", 2, 1, "no-exp", "control"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.RecordScoreAsync("greet", 2, double.PositiveInfinity));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RecordScoreAsync("greet", 2, 1, "exp", null));

        // A refused variant score leaves the version's totals untouched too: both are one transaction.
        Assert.Empty(await store.GetVersionScoresAsync("greet"));
        Assert.Empty(await store.GetVariantScoresAsync("exp"));
    }

    [Fact]
    public async Task RecordScoreAsync_200ConcurrentReports_CountsEveryOneExactly()
    {
        var store = await TwoVersionsAsync(CreateStore(new FakeTimeProvider(Start)));
        await store.DefineExperimentAsync(Experiment());
        var second = OpenAgain(store, new FakeTimeProvider(Start));

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => (i % 2 == 0 ? store : second).RecordScoreAsync("greet", 2, i % 10, "exp", "challenger"))));

        // Scores 0..9, twenty of each: sum 900, sum of squares 20 x 285 = 5700, variance (5700 - 900² / 200) / 199.
        foreach (var totals in new[] { (await store.GetVersionScoresAsync("greet"))[2], (await second.GetVariantScoresAsync("exp"))["challenger"] })
        {
            Assert.Equal((200L, 900d, 4.5), (totals.Count, totals.Sum, totals.Mean));
            Assert.Equal(1650d / 199, totals.Variance!.Value, 12);
        }
    }

    [Fact]
    public async Task PromptTemplateService_SecondInstanceOverTheSameStore_SeesTheExperimentAndTheScores()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options.Create(new PromptTemplateOptions { IncludeDefaultTemplates = false });
        var store = await TwoVersionsAsync(CreateStore(time));
        var first = new PromptTemplateService(store, options);
        var inputs = new Dictionary<string, object?> { ["name"] = "Ann" };
        await first.DefineExperimentAsync(Experiment("exp-1"));
        // SHA-256 points (see ExperimentAssignmentTests): with weights 1:3 user-42 gets the control, user-7 the challenger.
        var control = await first.RenderExperimentAsync("exp-1", "user-42", inputs);
        var challenger = await first.RenderExperimentAsync("exp-1", "user-7", inputs);
        foreach (double score in new[] { 1d, 2, 3, 4, 5 })
        {
            await first.RecordOutcomeAsync(control, score);
        }

        foreach (double score in new[] { 3d, 4, 5, 6 })
        {
            await first.RecordOutcomeAsync(challenger, score);
        }

        var second = new PromptTemplateService(OpenAgain(store, time), options);
        await second.RecordOutcomeAsync(challenger, 7);
        var results = await second.GetExperimentResultsAsync("exp-1");
        var outcomes = await second.GetOutcomesAsync("greet");

        Assert.Equal(("control", 1, "challenger", 2), (control.ExperimentVariant, control.TemplateVersion, challenger.ExperimentVariant, challenger.TemplateVersion));
        Assert.Equal("challenger", (await second.AssignVariantAsync("exp-1", "user-7")).Name);
        Assert.Equal((5L, 3d), (results.Variants[0].ScoreCount, results.Variants[0].MeanScore));
        Assert.Equal((5L, 5d), (results.Variants[1].ScoreCount, results.Variants[1].MeanScore));
        // Welch: t = 2, ν = 8, p = 0.0805162379572627 (see WelchTTestTests).
        Assert.Equal(2, results.Variants[1].TStatistic!.Value, 10);
        Assert.Equal(0.0805162379572627, results.Variants[1].PValue!.Value, 10);
        Assert.Equal([(1, 5L, (double?)3), (2, 5L, 5)], outcomes.Select(o => (o.Version, o.ScoreCount, o.MeanScore)));

        await second.EndExperimentAsync("exp-1");
        await Assert.ThrowsAsync<TemplateExperimentConflictException>(() => first.RenderExperimentAsync("exp-1", "user-42", inputs));
        Assert.Equal(5L, (await first.GetExperimentResultsAsync("exp-1")).Variants[0].ScoreCount);
    }
}
