using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks;

/// <summary>
/// What the default AddLlmKit() pipeline (telemetry, metering with the in-memory ledger, router) costs over calling the provider
/// client directly, per non-streaming call and per streamed chunk. No telemetry listener is attached,
/// as in an app that has not enabled OpenTelemetry.
/// </summary>
[MemoryDiagnoser]
public class PipelineOverheadBenchmarks
{
    public const int Chunks = 100;

    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Say hello.")];
    private readonly ChatOptions _options = new() { ModelId = "gpt-4o" };
    private CannedChatClient _bare = null!;
    private IChatClient _pipeline = null!;
    private IChatClient _withoutMetering = null!;
    private IChatClient _discarding = null!;
    private ServiceProvider _servicesDiscarding = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _servicesWithoutMetering = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new CannedChatClient(Chunks);
        var services = new ServiceCollection();
        var provider = new CannedChatClient(Chunks);
        services.AddLlmKit(kit => kit.AddProvider("openai", _ => provider));
        _services = services.BuildServiceProvider();
        _pipeline = _services.GetRequiredService<IChatClient>();

        var lean = new ServiceCollection();
        lean.AddLlmKit(kit =>
        {
            kit.AddProvider("openai", _ => provider);
            kit.Pipeline.Remove(PipelineStageNames.Metering);
        });
        _servicesWithoutMetering = lean.BuildServiceProvider();
        _withoutMetering = _servicesWithoutMetering.GetRequiredService<IChatClient>();

        var discarding = new ServiceCollection();
        discarding.AddSingleton<IUsageLedger, DiscardingUsageLedger>();
        discarding.AddLlmKit(kit => kit.AddProvider("openai", _ => provider));
        _servicesDiscarding = discarding.BuildServiceProvider();
        _discarding = _servicesDiscarding.GetRequiredService<IChatClient>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _servicesWithoutMetering.Dispose();
        _servicesDiscarding.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare client, non-streaming")]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "default pipeline, non-streaming")]
    public Task<ChatResponse> Pipeline() => _pipeline.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "telemetry + router (metering removed), non-streaming")]
    public Task<ChatResponse> PipelineWithoutMetering() => _withoutMetering.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "default pipeline, ledger discarding records, non-streaming")]
    public Task<ChatResponse> PipelineDiscardingLedger() => _discarding.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "bare client, 100-chunk stream")]
    public async Task<int> BareStream()
    {
        int n = 0;
        await foreach (var update in _bare.GetStreamingResponseAsync(_messages, _options))
        {
            n++;
        }

        return n;
    }

    [Benchmark(Description = "default pipeline, 100-chunk stream")]
    public async Task<int> PipelineStream()
    {
        int n = 0;
        await foreach (var update in _pipeline.GetStreamingResponseAsync(_messages, _options))
        {
            n++;
        }

        return n;
    }
}
