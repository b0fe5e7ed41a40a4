using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks;

/// <summary>
/// Routing plus the per-deployment resilience pipeline (issue 4) on the success path: the router alone (telemetry and
/// metering removed) over a logical model with two deployments, against the bare provider client; and throughput with
/// 64 concurrent callers against one caller doing the same number of calls.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    public const int CallsPerRun = 6_400;

    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Say hello.")];
    private readonly ChatOptions _options = new() { ModelId = "smart" };
    private readonly ChatOptions _bareOptions = new() { ModelId = "gpt-4o" };
    private CannedChatClient _bare = null!;
    private IChatClient _router = null!;
    private IChatClient _leastBusy = null!;
    private IChatClient _annotated = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _annotatedServices = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new CannedChatClient(1);
        var services = new ServiceCollection();
        var a = new CannedChatClient(1);
        var b = new CannedChatClient(1);
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("a", _ => a).AddProvider("b", _ => b);
            kit.AddModel("smart", new DeploymentOptions { Provider = "a", Model = "gpt-4o", Priority = 0 }, new DeploymentOptions { Provider = "b", Model = "gpt-4o", Priority = 1 });
            kit.AddModel("busy", new DeploymentOptions { Provider = "a", Model = "gpt-4o-mini" }, new DeploymentOptions { Provider = "b", Model = "gpt-4o-mini" });
            kit.Configure(o => o.Models["busy"].Strategy = RoutingStrategy.LeastBusy);
            kit.Pipeline.Remove(PipelineStageNames.Telemetry);
            kit.Pipeline.Remove(PipelineStageNames.Metering);
        });
        _services = services.BuildServiceProvider();
        _router = _services.GetRequiredService<IChatClient>();
        _leastBusy = _services.GetRequiredKeyedService<IChatClient>("busy");

        // The same router with AnnotateRoutes: the route set on every response, as in a pipeline with telemetry or metering.
        var annotated = new ServiceCollection();
        annotated.AddLlmKit(kit =>
        {
            kit.AddProvider("a", _ => a).AddProvider("b", _ => b);
            kit.AddModel("smart", new DeploymentOptions { Provider = "a", Model = "gpt-4o", Priority = 0 }, new DeploymentOptions { Provider = "b", Model = "gpt-4o", Priority = 1 });
            kit.Configure(o => o.AnnotateRoutes = true);
            kit.Pipeline.Remove(PipelineStageNames.Telemetry);
            kit.Pipeline.Remove(PipelineStageNames.Metering);
        });
        _annotatedServices = annotated.BuildServiceProvider();
        _annotated = _annotatedServices.GetRequiredService<IChatClient>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _annotatedServices.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare client, non-streaming")]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages, _bareOptions);

    [Benchmark(Description = "router + resilience, priority strategy")]
    public Task<ChatResponse> Routed() => _router.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "router + resilience, priority, route annotated (AnnotateRoutes)")]
    public Task<ChatResponse> RoutedAnnotated() => _annotated.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "router + resilience, least-busy strategy")]
    public Task<ChatResponse> RoutedLeastBusy() => _leastBusy.GetResponseAsync(_messages);

    [Benchmark(OperationsPerInvoke = CallsPerRun, Description = "router + resilience, 1 caller, per call")]
    public async Task OneCaller()
    {
        for (int i = 0; i < CallsPerRun; i++)
        {
            await _router.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        }
    }

    [Benchmark(OperationsPerInvoke = CallsPerRun, Description = "router + resilience, 64 concurrent callers, per call")]
    public Task SixtyFourCallers() => Parallel.ForAsync(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (_, _) =>
    {
        for (int i = 0; i < CallsPerRun / 64; i++)
        {
            await _router.GetResponseAsync(_messages, _options).ConfigureAwait(false);
        }
    });
}
