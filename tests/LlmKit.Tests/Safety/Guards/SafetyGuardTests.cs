using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.Safety;

public class SafetyGuardTests
{
    private static SafetyGuard Guard(Action<SafetyOptions> configure, params IContentClassifier[] classifiers)
    {
        var options = new LlmKitOptions();
        configure(options.Safety);
        return new SafetyGuard(Options.Create(options), [], classifiers, []);
    }

    [Fact]
    public async Task EvaluateAsync_ThresholdPerType_ActsOnlyAtOrAbove()
    {
        var guard = Guard(s =>
        {
            s.Input.Rules["PHONE"] = new GuardRuleOptions { Action = GuardAction.Redact, Threshold = 0.7 };
        });

        var low = await guard.EvaluateAsync("at 030 1234 5678", GuardDirection.Input);
        var high = await guard.EvaluateAsync("phone 030 1234 5678", GuardDirection.Input);

        Assert.Equal(GuardAction.Allow, low.Action);
        Assert.Single(low.Findings);
        Assert.Equal("phone [PHONE]", high.Text);
    }

    [Fact]
    public void Hash_SameKey_IsHmacSha256OfUtf8Value()
    {
        byte[] key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var guard = Guard(s => s.AuditHashKey = Convert.ToBase64String(key));

        string expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, "ann@example.com"u8));

        Assert.Equal(expected, guard.Hash("ann@example.com"));
    }

    [Fact]
    public async Task EvaluateAsync_Classifier_FindingsJoinThePolicy()
    {
        var guard = Guard(s => s.Input.Rules["HATE"] = new GuardRuleOptions { Action = GuardAction.Block, Threshold = 0.8 }, new FixedClassifier("HATE", 0.93));

        var evaluation = await guard.EvaluateAsync("some text", GuardDirection.Input);

        Assert.Equal(GuardAction.Block, evaluation.Action);
        Assert.Equal(["HATE"], evaluation.BlockingTypes);
    }

    [Fact]
    public async Task AuditAsync_Decision_CountsOnLlmKitMeter()
    {
        var guard = Guard(s => s.Input.Rules["EMAIL"] = new GuardRuleOptions { Action = GuardAction.Flag });
        var counted = new List<(long, string?, string?)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == "LlmKit" && i.Name == "llmkit.guard.decisions")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? type = null, action = null;
            foreach (var t in tags)
            {
                if (t.Key == "llmkit.guard.finding_type")
                {
                    type = t.Value as string;
                }
                else if (t.Key == "llmkit.guard.action")
                {
                    action = t.Value as string;
                }
            }

            // Other test classes anonymise e-mail addresses in parallel on the same process-wide meter: count flags only.
            if (type == "EMAIL" && action == "flag")
            {
                counted.Add((value, type, action));
            }
        });
        listener.Start();

        var evaluation = await guard.EvaluateAsync("a@example.com", GuardDirection.Input);
        await guard.AuditAsync(evaluation.Decisions, evaluation.Action, GuardDirection.Input, LlmRequestContext.Empty, default);

        Assert.Equal([(1L, "EMAIL", "flag")], counted);
    }

    [Fact]
    public void Pipeline_NoPolicy_LeavesGuardStagesOut()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddProvider("echo", _ => new EchoChatClient()));
        using var sp = services.BuildServiceProvider();

        var chat = sp.GetRequiredService<IChatClient>();

        Assert.Null(chat.GetService<InputGuardChatClient>());
        Assert.Null(chat.GetService<OutputGuardChatClient>());
    }

    [Fact]
    public void Pipeline_WithPolicy_OrdersGuardsAfterTelemetryAndBeforeMetering()
    {
        var services = new ServiceCollection();
        ChatPipelineBuilder? pipeline = null;
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("echo", _ => new EchoChatClient());
            kit.ConfigureSafety(s => s.Input.Rules["EMAIL"] = new GuardRuleOptions { Action = GuardAction.Anonymize });
            pipeline = kit.Pipeline;
        });
        using var sp = services.BuildServiceProvider();

        var names = pipeline!.StageNames.ToList();
        Assert.True(names.IndexOf(PipelineStageNames.Telemetry) < names.IndexOf(PipelineStageNames.InputGuard));
        // Only the response cache sits between the guards: it stores answers as they left the output guard.
        Assert.Equal(names.IndexOf(PipelineStageNames.InputGuard) + 1, names.IndexOf(PipelineStageNames.ResponseCache));
        Assert.Equal(names.IndexOf(PipelineStageNames.ResponseCache) + 1, names.IndexOf(PipelineStageNames.OutputGuard));
        Assert.True(names.IndexOf(PipelineStageNames.OutputGuard) < names.IndexOf(PipelineStageNames.Metering));
        var chat = sp.GetRequiredService<IChatClient>();
        Assert.NotNull(chat.GetService<InputGuardChatClient>());
        Assert.NotNull(chat.GetService<OutputGuardChatClient>());
    }

    private sealed class FixedClassifier(string type, double score) : IContentClassifier
    {
        public string Name => "fixed";

        public Task<IReadOnlyList<SafetyFinding>> ClassifyAsync(string text, GuardDirection direction, CancellationToken cancellationToken = default)
            => Task.FromResult<IReadOnlyList<SafetyFinding>>([new SafetyFinding(type, 0, text.Length, score, Name)]);
    }
}
