using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks;

/// <summary>
/// The response cache stage over a canned client: a hit from memory, a hit from Redis (a throw-away redis-server on a
/// loopback port; the in-memory level is bypassed so every call reads Redis), a miss (a new question every call, stored),
/// and the stage with the cache off, against the canned client alone. Hits write a ledger record into a discarding ledger.
/// </summary>
[MemoryDiagnoser]
public class ResponseCacheBenchmarks
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "What is the capital of France? Answer in one word.")];
    private readonly CannedChatClient _bare = new(0);
    private ChatOptions _options = null!;
    private IChatClient _memory = null!;
    private IChatClient _redis = null!;
    private IChatClient _off = null!;
    private Process? _redisServer;
    private ServiceProvider[] _services = [];
    private long _questions;

    [GlobalSetup]
    public void Setup()
    {
        _options = new ChatOptions { ModelId = "gpt-4o", Temperature = 0 }.WithLlmContext(new LlmRequestContext { TenantId = "acme" });
        var memory = Services(null);
        _memory = Stage(memory, ResponseCacheMode.All);
        _off = Stage(memory, ResponseCacheMode.Off);

        int port = FreePort();
        _redisServer = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("redis-server did not start (apt-get install -y redis-server).");
        while (_redisServer.StandardOutput.ReadLine() is { } line && !line.Contains("Ready to accept connections", StringComparison.Ordinal))
        {
        }

        var redis = Services(s => s.AddStackExchangeRedisCache(o => o.Configuration = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)));
        _redis = new ResponseCacheChatClient(_bare, redis.GetRequiredService<HybridCache>(), new ResponseCacheOptions { Mode = ResponseCacheMode.All }, null, new DiscardingUsageLedger(), null, TimeProvider.System, null) { SkipLocalLevelOnLookup = true };
        _services = [memory, redis];

        // Fill both caches.
        _memory.GetResponseAsync(Question, _options).GetAwaiter().GetResult();
        _redis.GetResponseAsync(Question, _options).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var services in _services)
        {
            services.Dispose();
        }

        if (_redisServer is { HasExited: false })
        {
            _redisServer.Kill();
            _redisServer.WaitForExit();
        }
    }

    [Benchmark(Baseline = true, Description = "canned client alone")]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(Question, _options);

    [Benchmark(Description = "cache stage, mode Off (pass-through)")]
    public Task<ChatResponse> Off() => _off.GetResponseAsync(Question, _options);

    [Benchmark(Description = "in-memory hit (key hashing, lookup, copy, ledger record)")]
    public Task<ChatResponse> MemoryHit() => _memory.GetResponseAsync(Question, _options);

    [Benchmark(Description = "miss: new question, provider call, stored")]
    public Task<ChatResponse> Miss()
        => _memory.GetResponseAsync([new ChatMessage(ChatRole.User, "Question " + Interlocked.Increment(ref _questions).ToString(CultureInfo.InvariantCulture))], _options);

    [Benchmark(Description = "canned client alone, new question")]
    public Task<ChatResponse> BareNewQuestion()
        => _bare.GetResponseAsync([new ChatMessage(ChatRole.User, "Question " + Interlocked.Increment(ref _questions).ToString(CultureInfo.InvariantCulture))], _options);

    [Benchmark(Description = "Redis hit on loopback (memory level bypassed)")]
    public Task<ChatResponse> RedisHit() => _redis.GetResponseAsync(Question, _options);

    private static ServiceProvider Services(Action<IServiceCollection>? secondLevel)
    {
        var services = new ServiceCollection();
        secondLevel?.Invoke(services);
        services.AddHybridCache();
        services.AddSingleton<IHybridCacheSerializer<CachedChatEntry>, CachedChatEntrySerializer>();
        return services.BuildServiceProvider();
    }

    private IChatClient Stage(ServiceProvider services, ResponseCacheMode mode)
        => new ResponseCacheChatClient(_bare, services.GetRequiredService<HybridCache>(), new ResponseCacheOptions { Mode = mode }, null, new DiscardingUsageLedger(), null, TimeProvider.System, null);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
