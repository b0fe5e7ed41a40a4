using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.Safety;

public class SafetyOptionsTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => kit.AddProvider("echo", _ => new EchoChatClient()));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Bind_Configuration_ReadsRulesTenantsListsAndLimits()
    {
        using var sp = Build(
            ("LlmKit:Safety:Input:Rules:EMAIL:Action", "Anonymize"),
            ("LlmKit:Safety:Input:Rules:EMAIL:Threshold", "0.4"),
            ("LlmKit:Safety:Output:MaxCharacters", "2000"),
            ("LlmKit:Safety:Tenants:acme:Input:Rules:PROMPT_INJECTION:Action", "Block"),
            ("LlmKit:Safety:WordLists:violence:0", "kill"),
            ("LlmKit:Safety:CustomRecognizers:employee:Type", "EMPLOYEE_ID"),
            ("LlmKit:Safety:CustomRecognizers:employee:Pattern", "E\\d{6}"));

        var safety = sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.Safety;

        Assert.Equal(GuardAction.Anonymize, safety.Input.Rules["email"].Action);
        Assert.Equal(0.4, safety.Input.Rules["EMAIL"].Threshold);
        Assert.Equal(2000, safety.Output.MaxCharacters);
        Assert.Equal(GuardAction.Block, safety.Tenants["ACME"].Input!.Rules["PROMPT_INJECTION"].Action);
        Assert.Equal(["kill"], safety.WordLists["violence"]);
        Assert.Contains(sp.GetRequiredService<SafetyGuard>().Analyze("id E123456"), f => f.Type == "EMPLOYEE_ID");
    }

    [Fact]
    public void Validate_BadValues_ListsEveryKey()
    {
        using var sp = Build(
            ("LlmKit:Safety:Input:Rules:EMAIL:Threshold", "1.5"),
            ("LlmKit:Safety:Input:Rules:bad-type:Action", "Flag"),
            ("LlmKit:Safety:Output:MaxCharacters", "0"),
            ("LlmKit:Safety:CustomRecognizers:x:Pattern", "(unclosed"),
            ("LlmKit:Safety:AuditHashKey", "c2hvcnQ="));

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Equivalent(
            new[] { "LlmKit:Safety:Input:Rules:EMAIL:Threshold", "LlmKit:Safety:Input:Rules:bad-type", "LlmKit:Safety:Output:MaxCharacters", "LlmKit:Safety:CustomRecognizers:x:Type", "LlmKit:Safety:CustomRecognizers:x:Pattern", "LlmKit:Safety:AuditHashKey" },
            ex.Keys,
            strict: true);
    }

    [Fact]
    public void Bind_UnknownAction_NamesTheKey()
    {
        using var sp = Build(("LlmKit:Safety:Input:Rules:EMAIL:Action", "Obliterate"));

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.Contains("LlmKit:Safety:Input:Rules:EMAIL:Action", ex.Message, StringComparison.Ordinal);
    }
}
