using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.DependencyInjection;

public class LlmKitConfigurationBinderTests
{
    private static LlmKitConfigurationException Fails(params (string Key, string? Value)[] values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProviderType("Stub", (_, s) => new StubChatClient(s.Name)));
        using var sp = services.BuildServiceProvider();
        return Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);
    }

    [Fact]
    public void Configure_SeveralMisspelledKeysAndBadValues_ListsEveryOneWithItsFullPath()
    {
        var ex = Fails(
            ("LlmKit:Providers:local:Type", "Stub"),
            ("LlmKit:Providers:local:BaseUrll", "http://127.0.0.1:1/"),
            ("LlmKit:Models:smart:Deployments:0:Provider", "local"),
            ("LlmKit:Models:smart:Deployments:0:Modle", "m"),
            ("LlmKit:Models:smart:Deployments:0:Weight", "heavy"),
            ("LlmKit:Models:smart:Strategy", "Fastest"),
            ("LlmKit:Budgets:b:Perod", "Day"));

        Assert.Equal(
            new[] { "LlmKit:Budgets:b:Perod", "LlmKit:Models:smart:Deployments:0:Modle", "LlmKit:Models:smart:Deployments:0:Weight", "LlmKit:Models:smart:Strategy", "LlmKit:Providers:local:BaseUrll" },
            ex.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("'LlmKit:Models:smart:Deployments:0:Modle': unknown key; known keys: Cooldown, Enabled, MaxConcurrency, Model, Name, Priority, Provider,", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'LlmKit:Providers:local:BaseUrll': unknown key; known keys: ApiKey, BaseUrl,", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'LlmKit:Models:smart:Deployments:0:Weight': 'heavy' is not a whole number.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'LlmKit:Models:smart:Strategy': 'Fastest' is not one of: Priority,", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_UnconvertibleValueOfSecretLikeSetting_NeverQuotesIt()
    {
        var ex = Fails(("LlmKit:Providers:p:Type", "Stub"), ("LlmKit:Providers:p:Keyless", "sk-live-CANARYCANARY123"));

        Assert.Equal(["LlmKit:Providers:p:Keyless"], ex.Keys);
        Assert.DoesNotContain("CANARY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the value is not true or false", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_ValueWhereSectionIsExpected_NamesThePath()
    {
        var ex = Fails(("LlmKit:Models:smart", "gpt-4o"));

        Assert.Equal(["LlmKit:Models:smart"], ex.Keys);
        Assert.Contains("expects a section", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_EnumGivenAsNumber_IsRefused()
    {
        var ex = Fails(("LlmKit:Safety:Input:DefaultAction", "3"));

        Assert.Equal(["LlmKit:Safety:Input:DefaultAction"], ex.Keys);
    }
}
