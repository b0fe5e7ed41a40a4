using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Safety;

/// <summary>Builds the default AddLlmKit() pipeline over an <see cref="EchoChatClient"/> with safety configuration from key/value pairs.</summary>
internal sealed class GuardHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public GuardHarness(params (string Key, string Value)[] settings)
        : this(null, settings)
    {
    }

    public GuardHarness(Action<ILlmKitBuilder>? configure, params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit =>
        {
            kit.AddProvider("echo", _ => Echo);
            kit.AddGuardAuditSink(Audit);
            configure?.Invoke(kit);
        });
        _services = services.BuildServiceProvider();
        Chat = _services.GetRequiredService<IChatClient>();
    }

    public EchoChatClient Echo { get; } = new();

    public RecordingAuditSink Audit { get; } = new();

    public IChatClient Chat { get; }

    public IServiceProvider Services => _services;

    public IUsageLedger Ledger => _services.GetRequiredService<IUsageLedger>();

    public static ChatOptions Options(string? tenant = null, string? requestId = null)
        => new ChatOptions { ModelId = "echo-model" }.WithLlmContext(new LlmRequestContext { TenantId = tenant, RequestId = requestId ?? Guid.NewGuid().ToString("N") });

    public void Dispose() => _services.Dispose();
}
