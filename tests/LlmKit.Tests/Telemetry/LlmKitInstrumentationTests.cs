using System.Diagnostics;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace LlmKit.Tests.Telemetry;

/// <summary>
/// One scripted call through Microsoft.Extensions.AI's <see cref="OpenTelemetryChatClient"/> and one through LlmKit, each
/// exported with OpenTelemetry's in-memory exporter: LlmKit's span and metrics carry the same GenAI names and attributes,
/// plus its own. LlmKit's source and meter are process-wide and other tests run alongside, so only what carries this
/// test's own logical model name (<see cref="_model"/>) is compared.
/// </summary>
public sealed class LlmKitInstrumentationTests(ITestOutputHelper output)
{
    private const string MeaiSource = "LlmKit.Tests.Meai";

    private readonly string _model = "otel-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task AddLlmKitInstrumentation_OneCall_SpanAndMetricsMatchMeaiOpenTelemetryChatClientPlusLlmKitAttributes()
    {
        var meai = await RecordAsync(MeaiSource, MeaiSource, async () =>
        {
            using var client = new ChatClientBuilder(Provider()).UseOpenTelemetry(sourceName: MeaiSource).Build();
            await client.GetResponseAsync("What is 2 + 3?", Options());
        });

        var llmKit = await RecordAsync(null, null, async () =>
        {
            var services = new ServiceCollection();
            services.AddLlmKit(kit => kit
                .AddProvider("openai", _ => Provider())
                .AddModel(_model, "openai", "gpt-4o-mini")
                .UseDefaultModel(_model));
            await using var sp = services.BuildServiceProvider();
            var options = Options().WithLlmContext(new LlmRequestContext { TenantId = "acme", TemplateId = "math", TemplateVersion = 3 });
            await sp.GetRequiredService<IChatClient>().GetResponseAsync("What is 2 + 3?", options);
        });

        output.WriteLine("MEAI:   " + meai);
        output.WriteLine("LlmKit: " + llmKit);

        Activity meaiSpan = Assert.Single(meai.Spans);
        Activity span = Assert.Single(llmKit.Spans);
        Assert.Equal(meaiSpan.DisplayName, span.DisplayName);
        Assert.Equal(meaiSpan.Kind, span.Kind);
        Assert.Equal(meaiSpan.Status, span.Status);

        // Every GenAI attribute MEAI sets, LlmKit sets with the same value; LlmKit adds only its own llmkit.* attributes.
        var meaiTags = Tags(meaiSpan);
        var tags = Tags(span);
        Assert.Equal(meaiTags, tags.Where(t => !t.Key.StartsWith("llmkit.", StringComparison.Ordinal)).ToDictionary());
        Assert.Equal("acme", tags["llmkit.tenant.id"]);
        Assert.Equal("math", tags["llmkit.template.id"]);
        Assert.Equal("3", tags["llmkit.template.version"]);
        Assert.False(string.IsNullOrEmpty(tags["llmkit.deployment"]));
        Assert.True(double.Parse(tags["llmkit.cost.usd"], System.Globalization.CultureInfo.InvariantCulture) > 0);

        // The same instruments (name, unit) with the same attribute sets on each point.
        Assert.Equal(meai.Metrics.Keys.Order(), llmKit.Metrics.Keys.Order());
        foreach (var (name, points) in meai.Metrics)
        {
            Assert.Equal(points, llmKit.Metrics[name]);
        }
    }

    [Fact]
    public async Task AddLlmKitInstrumentation_NoCall_RegistersLlmKitSourceAndMeterNames()
    {
        var recorded = await RecordAsync(null, null, () => Task.CompletedTask);
        Assert.Empty(recorded.Spans);
        Assert.Equal(LlmKitTelemetry.ActivitySourceName, LlmKitTelemetry.ActivitySource.Name);
        Assert.Equal(LlmKitTelemetry.MeterName, LlmKitTelemetry.Meter.Name);
    }

    private static ScriptedChatClient Provider()
        => new ScriptedChatClient { ProviderName = "openai" }.ReturnsResponse(new ChatResponse(new ChatMessage(ChatRole.Assistant, "5"))
        {
            ModelId = "gpt-4o-mini-2024-07-18",
            ResponseId = "resp-1",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 5, TotalTokenCount = 17 },
        });

    private ChatOptions Options() => new() { ModelId = _model, MaxOutputTokens = 100, Temperature = 0.5f };

    private static Dictionary<string, string> Tags(Activity activity)
        => activity.TagObjects.ToDictionary(t => t.Key, t => t.Value switch
        {
            string[] values => string.Join(",", values),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            var other => other?.ToString() ?? string.Empty,
        });

    /// <summary>Runs <paramref name="call"/> under a tracer and meter provider set up as an app would, and exports what it recorded.</summary>
    private async Task<Recorded> RecordAsync(string? meaiSource, string? meaiMeter, Func<Task> call)
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var tracing = Sdk.CreateTracerProviderBuilder().AddInMemoryExporter(spans);
        var metering = Sdk.CreateMeterProviderBuilder().AddInMemoryExporter(metrics);
        if (meaiSource is null)
        {
            tracing.AddLlmKitInstrumentation();
            metering.AddLlmKitInstrumentation();
        }
        else
        {
            tracing.AddSource(meaiSource);
            metering.AddMeter(meaiMeter!);
        }

        using (var tracer = tracing.Build())
        using (var meter = metering.Build())
        {
            await call();
            tracer.ForceFlush();
            meter.ForceFlush();
        }

        spans.RemoveAll(s => s.GetTagItem("gen_ai.request.model") as string != _model);
        var points = new Dictionary<string, List<string>>();
        foreach (var metric in metrics)
        {
            var list = new List<string>();
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new List<string>();
                foreach (var tag in point.Tags)
                {
                    tags.Add($"{tag.Key}={tag.Value}");
                }

                tags.Sort(StringComparer.Ordinal);
                if (tags.Contains("gen_ai.request.model=" + _model))
                {
                    list.Add(string.Join(";", tags));
                }
            }

            list.Sort(StringComparer.Ordinal);
            if (list.Count > 0)
            {
                points[$"{metric.Name} ({metric.Unit})"] = list;
            }
        }

        return new Recorded(spans, points);
    }

    private sealed record Recorded(List<Activity> Spans, Dictionary<string, List<string>> Metrics)
    {
        public override string ToString()
            => string.Join(" | ", Spans.Select(s => $"{s.DisplayName} {s.Kind} [{string.Join(", ", s.TagObjects.Select(t => $"{t.Key}={(t.Value is string[] a ? string.Join(",", a) : t.Value)}"))}]"))
            + " || " + string.Join(" | ", Metrics.Select(m => $"{m.Key}: {string.Join(" / ", m.Value)}"));
    }
}
