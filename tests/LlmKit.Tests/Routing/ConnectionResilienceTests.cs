using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

/// <summary>
/// Resilience settings per provider connection (<c>LlmKit:ConnectionResilience:{connection}</c>): a deployment's own
/// settings win, then its connection's, then the global ones.
/// </summary>
public class ConnectionResilienceTests
{
    [Fact]
    public async Task ConnectionSettings_ApplyToItsDeploymentsWithoutTheirOwn()
    {
        using var h = new RoutingHarness(
            o =>
            {
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
                o.ConnectionResilience["a"] = new DeploymentResilienceOptions { MaxRetries = 0 };
                o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small"));
                o.Models["other"] = Model(RoutingStrategy.Priority, Deployment("b", "m-small"));
            },
            maxRetries: 2);
        h.A.FailsWithServerError().ReturnsText("never");
        h.B.FailsWithServerError().ReturnsText("from b after a retry");

        await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));
        var other = await h.AskAsync("other");

        Assert.Equal(1, h.A.CallCount);
        Assert.Equal("from b after a retry", other.Text);
        Assert.Equal(2, h.B.CallCount);
    }

    [Fact]
    public async Task DeploymentSettings_WinOverTheirConnections()
    {
        using var h = new RoutingHarness(o =>
        {
            o.ConnectionResilience["a"] = new DeploymentResilienceOptions { MaxRetries = 0 };
            var own = Deployment("a", "m-small");
            own.Resilience = new DeploymentResilienceOptions { MaxRetries = 1, RetryBaseDelay = TimeSpan.Zero };
            o.Models["smart"] = Model(RoutingStrategy.Priority, own);
        });
        h.A.FailsWithServerError().ReturnsText("retried once");

        var response = await h.AskAsync("smart");

        Assert.Equal("retried once", response.Text);
        Assert.Equal(2, h.A.CallCount);
    }

    [Fact]
    public void UnknownConnection_StopsStartUpNamingTheKey()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("a", _ => new LlmKit.Testing.ScriptedChatClient());
            kit.Configure(o =>
            {
                o.ConnectionResilience["ghost"] = new DeploymentResilienceOptions();
                o.ConnectionResilience["a"] = new DeploymentResilienceOptions { MaxRetries = -1 };
            });
        });
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.Contains("LlmKit:ConnectionResilience:ghost", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'ghost' is not a provider connection", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LlmKit:ConnectionResilience:a:MaxRetries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_BindsByConnectionAndNamesAMisspelledKeyByItsPath()
    {
        IConfiguration good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:ConnectionResilience:a:MaxRetries"] = "0",
            ["LlmKit:ConnectionResilience:a:AttemptTimeout"] = "00:00:30",
        }).Build();
        IConfiguration bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:ConnectionResilience:a:MaxRetrys"] = "0",
        }).Build();

        var options = Resolve(good).GetRequiredService<Microsoft.Extensions.Options.IOptions<LlmKitOptions>>().Value;
        var ex = Assert.ThrowsAny<Exception>(() => Resolve(bad).GetRequiredService<Microsoft.Extensions.Options.IOptions<LlmKitOptions>>().Value);

        Assert.Equal(0, options.ConnectionResilience["a"].MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ConnectionResilience["a"].AttemptTimeout);
        Assert.Contains("LlmKit:ConnectionResilience:a:MaxRetrys", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Resolve(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProvider("a", _ => new LlmKit.Testing.ScriptedChatClient()));
        return services.BuildServiceProvider();
    }
}
