using System.Buffers;
using System.Diagnostics;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Templates.Service;

public class PromptTemplateServiceTests
{
    private static PromptTemplate Greeting(string text) => new()
    {
        Id = "greet",
        Inputs = [new TemplateInput { Name = "name" }],
        Messages = [new(ChatRole.System, text), new(ChatRole.User, "I am {{name}}.")],
        ModelHints = new TemplateModelHints { Model = "smart" },
    };

    private static Dictionary<string, object?> Ann => new() { ["name"] = "Ann" };

    private static (ServiceProvider Services, ScriptedChatClient Provider, FakeTimeProvider Time) Build(Action<ILlmKitBuilder>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var provider = new ScriptedChatClient(time);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("openai", _ => provider).AddModel("smart", "openai", "gpt-4o").UseDefaultModel("smart");
            configure?.Invoke(kit);
        });
        return (services.BuildServiceProvider(), provider, time);
    }

    private static async Task CallAsync(ServiceProvider sp, ScriptedChatClient provider, FakeTimeProvider time, RenderedPrompt prompt, long input, long output, int latencyMs)
    {
        provider.ReturnsText("ok", new UsageDetails { InputTokenCount = input, OutputTokenCount = output }).WithLatency(TimeSpan.FromMilliseconds(latencyMs));
        var call = sp.GetRequiredService<IChatClient>().GetResponseAsync(prompt.Messages, prompt.Options);
        time.Advance(TimeSpan.FromMilliseconds(latencyMs));
        await call;
    }

    [Fact]
    public async Task RenderAsync_NoLabelOrVersion_PrefersProductionThenLatest()
    {
        var (sp, _, _) = Build();
        var store = sp.GetRequiredService<ITemplateStore>();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await store.SaveAsync(Greeting("v1"));
        await store.SaveAsync(Greeting("v2"));

        Assert.Equal("v2", (await service.RenderAsync("greet", Ann)).Messages[0].Text);
        await store.SetLabelAsync("greet", "production", 1);
        var production = await service.RenderAsync("greet", Ann);
        Assert.Equal(("v1", 1), (production.Messages[0].Text, production.TemplateVersion));
        Assert.Equal("v2", (await service.RenderAsync("greet", Ann, label: "latest")).Messages[0].Text);
        Assert.Equal("v2", (await service.RenderAsync("greet", Ann, label: "production", version: 2)).Messages[0].Text);
        var missing = await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.RenderAsync("greet", Ann, label: "canary"));
        Assert.Equal("canary", missing.Label);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.RenderAsync("nope", Ann));
    }

    [Fact]
    public async Task ImportAsync_SameContentTwice_AddsOneVersionAndAppliesLabels()
    {
        var (sp, _, _) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();

        var first = await service.ImportAsync(Greeting("hello") with { Labels = ["production"] });
        var again = await service.ImportAsync(Greeting("hello"));
        var changed = await service.ImportAsync(Greeting("hello!"));

        Assert.Equal((1, 1, 2), (first.Version, again.Version, changed.Version));
        Assert.Equal(["latest", "production"], first.Labels.Order(StringComparer.Ordinal));
        Assert.Equal(1, (await service.RenderAsync("greet", Ann)).TemplateVersion);
        // A template that cannot be parsed never becomes a version.
        await Assert.ThrowsAsync<TemplateParseException>(() => service.ImportAsync(Greeting("{{#open}}")));
        Assert.Equal(2, (await sp.GetRequiredService<ITemplateStore>().GetVersionsAsync("greet")).Count);
    }

    [Fact]
    public async Task DiffAsync_TwoStoredVersions_ReportsTheChangedMessage()
    {
        var (sp, _, _) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("Be brief."));
        await service.ImportAsync(Greeting("Be kind."));

        var diff = await service.DiffAsync("greet", 1, 2);

        Assert.Equal([new TemplateChange("messages[0].template", TemplateChangeKind.Modified, "Be brief.", "Be kind.")], diff.Changes);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.DiffAsync("greet", 1, 3));
    }

    [Fact]
    public async Task GetOutcomesAsync_CallsThroughThePipeline_AreCountedPerVersionWithScores()
    {
        var (sp, provider, time) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("v1"));
        await service.ImportAsync(Greeting("v2"));

        var v1 = await service.RenderAsync("greet", Ann, version: 1);
        var v2 = await service.RenderAsync("greet", Ann, version: 2);
        await CallAsync(sp, provider, time, v1, 1000, 100, 200);
        await CallAsync(sp, provider, time, v1, 3000, 300, 400);
        await CallAsync(sp, provider, time, v2, 500, 50, 100);
        provider.FailsWithServerError().FailsWithServerError().FailsWithServerError();
        await Assert.ThrowsAnyAsync<LlmKitException>(() => FakeTime.DriveAsync(time, sp.GetRequiredService<IChatClient>().GetResponseAsync(v2.Messages, v2.Options)));
        await service.RecordOutcomeAsync(v1, 4);
        await service.RecordOutcomeAsync("greet", 1, 5);

        var outcomes = await service.GetOutcomesAsync("greet");

        Assert.Equal([1, 2], outcomes.Select(o => o.Version));
        var (o1, o2) = (outcomes[0], outcomes[1]);
        Assert.Equal((2L, 2L, 4000L, 400L), (o1.Calls, o1.Successes, o1.InputTokens, o1.OutputTokens));
        // gpt-4o: (4000 x 2.50 + 400 x 10) per million = 0.014.
        Assert.Equal(0.014m, o1.KnownCostUsd);
        Assert.Equal(TimeSpan.FromMilliseconds(300), o1.MeanLatency);
        Assert.Null(new TemplateVersionOutcome { TemplateId = "x" }.MeanLatency);
        Assert.Equal((2L, 4.5), (o1.ScoreCount, o1.MeanScore));
        Assert.Equal((2L, 1L), (o2.Calls, o2.Successes));
        Assert.Null(o2.MeanScore);
    }

    [Fact]
    public async Task Experiments_StickyVariantsAndResults_WithWelchPValue()
    {
        var (sp, provider, time) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("control"));
        await service.ImportAsync(Greeting("challenger"));
        var experiment = new TemplateExperiment { Id = "exp-1", TemplateId = "greet", Variants = [new("A", 1, 1), new("B", 2, 3)] };
        await service.DefineExperimentAsync(experiment);

        // SHA-256 points (see ExperimentAssignmentTests): user-42 → A, user-7 → B.
        var a = await service.RenderExperimentAsync("exp-1", "user-42", Ann);
        var b = await service.RenderExperimentAsync("exp-1", "user-7", Ann);
        Assert.Equal(("A", 1, "control"), (a.ExperimentVariant, a.TemplateVersion, a.Messages[0].Text));
        Assert.Equal(("B", 2, "challenger"), (b.ExperimentVariant, b.TemplateVersion, b.Messages[0].Text));
        Assert.Equal("B", b.Options.GetLlmContext().ExperimentVariant);
        Assert.Equal("B", (await service.AssignVariantAsync("exp-1", "user-7")).Name);

        await CallAsync(sp, provider, time, a, 1000, 0, 100);
        await CallAsync(sp, provider, time, b, 2000, 0, 300);
        await CallAsync(sp, provider, time, b, 2000, 0, 500);
        foreach (double score in new[] { 1d, 2, 3, 4, 5 })
        {
            await service.RecordOutcomeAsync(a, score);
        }

        foreach (double score in new[] { 3d, 4, 5, 6, 7 })
        {
            await service.RecordOutcomeAsync(b, score);
        }

        var results = await service.GetExperimentResultsAsync("exp-1");

        var (ra, rb) = (results.Variants[0], results.Variants[1]);
        Assert.Equal((1L, 5L, 3d), (ra.Calls, ra.ScoreCount, ra.MeanScore));
        Assert.Null(ra.PValue);
        Assert.Equal((2L, 5d), (rb.Calls, rb.MeanScore));
        Assert.Equal(TimeSpan.FromMilliseconds(400), rb.MeanLatency);
        // 2 x 2000 x 2.50 per million.
        Assert.Equal(0.01m, rb.KnownCostUsd);
        Assert.Equal(Math.Sqrt(2.5), rb.ScoreStandardDeviation!.Value, 12);
        // Welch: t = 2, ν = 8, p = 0.0805162379572627 (see WelchTTestTests).
        Assert.Equal(2, rb.TStatistic!.Value, 10);
        Assert.Equal(0.0805162379572627, rb.PValue!.Value, 10);
    }

    [Fact]
    public async Task RenderAsync_CallThroughThePipeline_TagsTheSpanWithTemplateIdAndVersion()
    {
        var (sp, provider, time) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("v1"));
        await service.ImportAsync(Greeting("v2"));
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LlmKitTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var prompt = await service.RenderAsync("greet", Ann, version: 2);
        await CallAsync(sp, provider, time, prompt, 10, 1, 0);

        var span = Assert.Single(spans, a => "greet".Equals(a.GetTagItem("llmkit.template.id")));
        Assert.Equal(2, span.GetTagItem("llmkit.template.version"));
    }

    [Fact]
    public async Task DefineExperimentAsync_BadExperiments_Throw()
    {
        var (sp, _, _) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("one"));

        await Assert.ThrowsAsync<ArgumentException>(() => service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 1, 1)] }));
        await Assert.ThrowsAsync<ArgumentException>(() => service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 1, 1), new("B", 1, 1)] }));
        await Assert.ThrowsAsync<ArgumentException>(() => service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 1, 0), new("B", 2, 1)] }));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 1, 1), new("B", 2, 1)] }));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.AssignVariantAsync("undefined", "user"));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.RenderExperimentAsync("undefined", "user", Ann));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.GetExperimentResultsAsync("undefined"));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => service.RecordOutcomeAsync("greet", 2, 1));
    }

    [Fact]
    public async Task DefineExperimentAsync_SameIdWithOtherVariants_ThrowsConflictAndKeepsTheFirst()
    {
        var (sp, _, _) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("one"));
        await service.ImportAsync(Greeting("two"));
        await service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 1, 1), new("B", 2, 1)] });

        var again = await service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 1, 1), new("B", 2, 1)] });
        var conflict = await Assert.ThrowsAsync<TemplateExperimentConflictException>(() => service.DefineExperimentAsync(new TemplateExperiment { Id = "e", TemplateId = "greet", Variants = [new("A", 2, 1), new("B", 1, 1)] }));

        Assert.Equal(1, again.Variants[0].Version);
        Assert.Equal(LlmFailureKind.BadRequest, conflict.FailureKind);
        Assert.Contains("A=v1×1, B=v2×1", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await sp.GetRequiredService<ITemplateStore>().GetExperimentAsync("e"))!.Variants[0].Version);
    }

    [Fact]
    public async Task RecommendAsync_TaskDescription_RanksTheShippedTemplates()
    {
        var (sp, _, _) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();

        var summary = await service.RecommendAsync("summarise this long report for executives");
        var code = await service.RecommendAsync("write a python function");
        var rag = await service.RecommendAsync("answer questions from our documents with citations", 1);

        Assert.Equal("summarize", summary[0].Template.Id);
        Assert.Equal("code-generation", code[0].Template.Id);
        Assert.Equal(["knowledge-query"], rag.Select(r => r.Template.Id));
        Assert.Empty(await service.RecommendAsync("xylophone zebra"));
    }

    [Fact]
    public async Task RenderAsync_ConfiguredPartialsAndStrictness_Apply()
    {
        var (sp, _, _) = Build(kit => kit
            .AddPromptPartial("rules", "Never reveal {{secret_word}}.")
            .AddPromptTemplate(new PromptTemplate { Id = "guarded", Inputs = [new TemplateInput { Name = "secret_word" }], Messages = [new(ChatRole.System, "{{>rules}}")] })
            .ConfigurePromptTemplates(o => o.IncludeDefaultTemplates = false));
        var service = sp.GetRequiredService<IPromptTemplateService>();

        Assert.Equal("Never reveal swordfish.", (await service.RenderAsync("guarded", new Dictionary<string, object?> { ["secret_word"] = "swordfish" })).Messages[0].Text);
        Assert.Equal(["guarded"], (await sp.GetRequiredService<ITemplateStore>().ListAsync()).Select(t => t.Id));
    }

    [Fact]
    public async Task RenderTo_StoredTemplate_WritesTheRenderedTextsIntoTheCallersBuffers()
    {
        var (sp, _, _) = Build();
        var service = sp.GetRequiredService<IPromptTemplateService>();
        await service.ImportAsync(Greeting("Be kind."));
        var template = await service.GetTemplateAsync("greet");
        var outputs = new List<(ChatRole Role, ArrayBufferWriter<char> Text)>();

        int count = service.RenderTo(template, Ann, outputs, static (list, role, text) =>
        {
            var buffer = new ArrayBufferWriter<char>();
            buffer.Write(text);
            list.Add((role, buffer));
        });

        Assert.Equal(2, count);
        Assert.Equal([(ChatRole.System, "Be kind."), (ChatRole.User, "I am Ann.")], outputs.Select(o => (o.Role, o.Text.WrittenSpan.ToString())));
        Assert.Equal(service.Render(template, Ann).Messages.Select(m => (m.Role, m.Text)), outputs.Select(o => (o.Role, o.Text.WrittenSpan.ToString())));
    }
}
