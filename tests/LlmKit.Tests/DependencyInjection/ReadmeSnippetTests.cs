using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.DependencyInjection;

/// <summary>The README's "Use it in an ASP.NET app" snippet and its "Configuration" block, pasted together.</summary>
public class ReadmeSnippetTests
{
    // Exactly the README's snippet between `var builder = ...` and `app.Run();`; the test checks that the README holds it.
    private const string Snippet = """
        builder.Services.AddLlmKit(builder.Configuration, kit => kit
            .AddOpenAI()                                    // key from OPENAI_API_KEY (package LlmKit.OpenAI)
            .AddOllama("local")                             // Ollama's native API on 127.0.0.1:11434 (package LlmKit.OpenAI)
            .AddModel("smart", "openai", "gpt-4.1")
            .AddModel("fast", "local", "llama3.2")
            .UseDefaultModel("smart"));
        var app = builder.Build();
        app.MapPost("/ask", async (IChatClient chat, Question q) => (await chat.GetResponseAsync(q.Text)).Text);
        app.MapPost("/ask-fast", async ([FromKeyedServices("fast")] IChatClient chat, Question q) => (await chat.GetResponseAsync(q.Text)).Text);
        """;

    [Fact]
    public async Task ReadmeSnippet_WithReadmeConfigurationBlock_StartsAndResolvesTheClients()
    {
        string readme = await File.ReadAllTextAsync(FindReadme());
        Assert.Contains(Snippet.Replace("\r\n", "\n", StringComparison.Ordinal), readme.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        string json = ConfigurationBlock(readme);

        string? savedKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", "sk-readme-test-key-0000000000");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
            builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
            builder.WebHost.UseUrls("http://127.0.0.1:0");

            // The README's code, as pasted.
            builder.Services.AddLlmKit(builder.Configuration, kit => kit
                .AddOpenAI()                                    // key from OPENAI_API_KEY (package LlmKit.OpenAI)
                .AddOllama("local")                             // Ollama's native API on 127.0.0.1:11434 (package LlmKit.OpenAI)
                .AddModel("smart", "openai", "gpt-4.1")
                .AddModel("fast", "local", "llama3.2")
                .UseDefaultModel("smart"));
            var app = builder.Build();
            app.MapPost("/ask", async (IChatClient chat, Question q) => (await chat.GetResponseAsync(q.Text)).Text);
            app.MapPost("/ask-fast", async ([FromKeyedServices("fast")] IChatClient chat, Question q) => (await chat.GetResponseAsync(q.Text)).Text);

            await app.StartAsync();
            try
            {
                Assert.NotNull(app.Services.GetRequiredService<IChatClient>());
                Assert.NotNull(app.Services.GetRequiredKeyedService<IChatClient>("fast"));
                Assert.NotNull(app.Services.GetRequiredKeyedService<IChatClient>("private"));
                var options = app.Services.GetRequiredService<IOptions<LlmKitOptions>>().Value;
                Assert.Equal("smart", options.DefaultModel);
                Assert.Equal(["fast"], options.Models["smart"].Fallbacks);
                Assert.Equal("openai", Assert.Single(options.Models["smart"].Deployments).Provider);
                Assert.Equal("lan", Assert.Single(options.Models["private"].Deployments).Provider);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", savedKey);
        }
    }

    private static string ConfigurationBlock(string readme)
    {
        int section = readme.IndexOf("### Configuration", StringComparison.Ordinal);
        Assert.True(section >= 0, "The README has no Configuration section.");
        int start = readme.IndexOf("```json", section, StringComparison.Ordinal) + "```json".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "LlmKit.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("The repository's README.md was not found above the test's directory.");
    }

    internal sealed record Question(string Text);
}
