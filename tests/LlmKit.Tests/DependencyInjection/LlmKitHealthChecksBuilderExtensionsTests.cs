using LlmKit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmKit.Tests.DependencyInjection;

public class LlmKitHealthChecksBuilderExtensionsTests
{
    [Fact]
    public async Task AddLlmKitChecks_CodeAndConfiguredConnections_RegistersOneCheckEachWithTheTags()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["LlmKit:Providers:local:Type"] = "Scripted" }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLlmKit(config, kit => kit
            .AddProvider("coded", _ => new ScriptedChatClient())
            .AddProviderType("Scripted", (_, _) => new ScriptedChatClient()));
        services.AddHealthChecks().AddLlmKitChecks(o =>
        {
            o.Tags.Clear();
            o.Tags.Add("ready");
        });
        using var sp = services.BuildServiceProvider();

        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(["llmkit:coded", "llmkit:local"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(report.Entries.Values, e => Assert.Equal(["ready"], e.Tags));
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task AddLlmKitChecks_CalledTwice_RegistersEachCheckOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLlmKit(kit => kit.AddProvider("p1", _ => new ScriptedChatClient()));
        services.AddHealthChecks().AddLlmKitChecks().AddLlmKitChecks(liveProbe: true);
        using var sp = services.BuildServiceProvider();

        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal("llmkit:p1", Assert.Single(report.Entries).Key);
    }

    [Fact]
    public async Task AddLlmKitChecks_WithoutAddLlmKit_ReportsOneUnhealthyCheckSayingSo()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddLlmKitChecks();
        using var sp = services.BuildServiceProvider();

        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = Assert.Single(report.Entries);
        Assert.Equal("llmkit", entry.Key);
        Assert.Equal(HealthStatus.Unhealthy, entry.Value.Status);
        Assert.Contains("AddLlmKit", entry.Value.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLlmKitChecks_NegativeProbeInterval_ThrowsArgumentExceptionNamingConfigure()
    {
        var builder = new ServiceCollection().AddHealthChecks();

        var ex = Assert.Throws<ArgumentException>(() => builder.AddLlmKitChecks(o => o.LiveProbeInterval = TimeSpan.FromSeconds(-1)));

        Assert.Equal("configure", ex.ParamName);
    }
}
