using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.DependencyInjection;

public class LlmKitPromptTemplateBuilderExtensionsTests
{
    [Fact]
    public void AddLlmKit_RegistersTheInMemoryStoreAndTheServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddLlmKit();
        services.AddLlmKit();
        using var sp = services.BuildServiceProvider();

        Assert.IsType<InMemoryTemplateStore>(sp.GetRequiredService<ITemplateStore>());
        Assert.IsType<PromptTemplateService>(sp.GetRequiredService<IPromptTemplateService>());
        Assert.Single(services, d => d.ServiceType == typeof(ITemplateStore));
    }

    [Fact]
    public void AddLlmKit_HostStoreRegisteredFirst_IsKept()
    {
        var store = new InMemoryTemplateStore();
        var services = new ServiceCollection();
        services.AddSingleton<ITemplateStore>(store);
        services.AddLlmKit();
        using var sp = services.BuildServiceProvider();

        Assert.Same(store, sp.GetRequiredService<ITemplateStore>());
    }

    [Fact]
    public async Task AddPromptTemplates_Folder_ImportsItsTemplatesOnFirstUse()
    {
        string dir = Path.Combine(Path.GetTempPath(), "llmkit-prompts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "welcome.prompty"), "---\nname: Welcome\nmetadata:\n  labels: [production]\ninputs:\n  user:\n    type: string\n---\nsystem:\nWelcome {{user}}.\n");
            var services = new ServiceCollection();
            services.AddLlmKit(kit => kit.AddPromptTemplates(dir));
            using var sp = services.BuildServiceProvider();

            var rendered = await sp.GetRequiredService<IPromptTemplateService>().RenderAsync("welcome", new Dictionary<string, object?> { ["user"] = "Ann" });

            Assert.Equal(("Welcome Ann.", 1), (rendered.Messages[0].Text, rendered.TemplateVersion));
            Assert.Contains("production", (await sp.GetRequiredService<ITemplateStore>().GetAsync("welcome"))!.Labels);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AddPromptTemplates_BadFile_FailsAtRegistrationWithItsPosition()
    {
        string dir = Path.Combine(Path.GetTempPath(), "llmkit-prompts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "broken.prompty");
            File.WriteAllText(file, "---\nname: Broken\n---\nsystem:\nHello {{#user}}\n");
            var services = new ServiceCollection();

            var ex = Assert.Throws<TemplateParseException>(() => services.AddLlmKit(kit => kit.AddPromptTemplates(dir)));

            Assert.Equal((file, 5, 7), (ex.SourceName, ex.Line, ex.Column));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
