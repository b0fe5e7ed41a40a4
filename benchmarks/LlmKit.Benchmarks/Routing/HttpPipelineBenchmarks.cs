using BenchmarkDotNet.Attributes;
using LlmKit.Benchmarks.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks.Routing;

/// <summary>
/// The cost of LlmKit's default pipeline over a real provider client on canned HTTP (issue 18's goal: under 5 µs and 2 KB
/// per call, under 100 B per streamed chunk): the bare <c>LlmKit.OpenAI</c> client on an <see cref="HttpClient"/> against
/// the same client behind <c>AddLlmKit()</c> (telemetry, guards, budget, metering into a discarding ledger, router, and
/// the named client's resilience handler from Microsoft.Extensions.Http.Resilience). One in-process handler returns the
/// same bytes to both: the 1.3 KB completion and the 100-chunk (or 1-chunk) stream of <see cref="OpenAIBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class HttpPipelineBenchmarks
{
    private static readonly Uri Endpoint = new("http://127.0.0.1/v1/");
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "What is the weather in Boston and Paris?")];
    private readonly ChatOptions _options = new() { ModelId = "gpt-4o-mini" };
    private readonly List<ServiceProvider> _providers = [];
    private OpenAIChatClient _bare = null!;
    private OpenAIChatClient _bareStream = null!;
    private IChatClient _pipeline = null!;
    private IChatClient _pipelineWithoutHandler = null!;
    private IChatClient _pipelineStream = null!;
    private IChatClient _pipelineStreamOne = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new OpenAIConnectionOptions { ApiKey = "sk-bench-0123456789", BaseUrl = Endpoint };
        _bare = new OpenAIChatClient(options, new HttpClient(new CannedResponseHandler(OpenAIBenchmarks.Completion, "application/json")));
        _bareStream = new OpenAIChatClient(options, new HttpClient(new CannedResponseHandler(OpenAIBenchmarks.Stream, "text/event-stream")));
        _pipeline = Pipeline(OpenAIBenchmarks.Completion, "application/json");
        _pipelineWithoutHandler = Pipeline(OpenAIBenchmarks.Completion, "application/json", withoutResilienceHandler: true);
        _pipelineStream = Pipeline(OpenAIBenchmarks.Stream, "text/event-stream");
        _pipelineStreamOne = Pipeline(OpenAIBenchmarks.StreamOfOne, "text/event-stream");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _bareStream.Dispose();
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "bare LlmKit.OpenAI client, canned HTTP")]
    [BenchmarkCategory("complete")]
    public async Task<int> Bare() => (await _bare.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Messages.Count;

    [Benchmark(Description = "AddLlmKit default pipeline + resilience handler, canned HTTP")]
    [BenchmarkCategory("complete")]
    public async Task<int> DefaultPipeline() => (await _pipeline.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Messages.Count;

    [Benchmark(Description = "AddLlmKit default pipeline, resilience handler removed, canned HTTP")]
    [BenchmarkCategory("complete")]
    public async Task<int> DefaultPipelineWithoutHandler() => (await _pipelineWithoutHandler.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Messages.Count;

    [Benchmark(Description = "bare LlmKit.OpenAI client, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public Task<int> BareStream() => CountAsync(_bareStream);

    [Benchmark(Description = "AddLlmKit default pipeline, 100-chunk stream")]
    [BenchmarkCategory("stream")]
    public Task<int> PipelineStream() => CountAsync(_pipelineStream);

    [Benchmark(Description = "AddLlmKit default pipeline, 1-chunk stream")]
    [BenchmarkCategory("stream")]
    public Task<int> PipelineStreamOfOne() => CountAsync(_pipelineStreamOne);

    private IChatClient Pipeline(byte[] body, string contentType, bool withoutResilienceHandler = false)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IUsageLedger, DiscardingUsageLedger>();
        services.AddLlmKit(kit => kit.AddOpenAI("openai", o =>
        {
            o.ApiKey = "sk-bench-0123456789";
            o.BaseUrl = Endpoint;
        }));
        var client = services.AddHttpClient(OpenAILlmKitBuilderExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new CannedResponseHandler(body, contentType));
        if (withoutResilienceHandler)
        {
            // The share of the resilience handler in the pipeline's cost: the same client with it taken out.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental.
            client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        }

        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<IChatClient>();
    }

    private async Task<int> CountAsync(IChatClient client)
    {
        int count = 0;
        await foreach (var _ in client.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }
}
