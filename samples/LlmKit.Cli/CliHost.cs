using LlmKit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli;

/// <summary>
/// Builds the service provider every command runs on: configuration from --config, LLMKIT__ environment
/// variables, then AddLlmKit(). With no provider configured it registers the offline model and says so.
/// </summary>
internal static class CliHost
{
    public static ServiceProvider Build(FileInfo? configFile, string? providerOverride, TextWriter diagnostics, out bool offline)
    {
        var configBuilder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!configFile.Exists)
            {
                throw new CliInputException($"--config: file '{configFile.FullName}' does not exist.");
            }

            configBuilder.AddJsonFile(configFile.FullName, optional: false);
        }

        // LLMKIT__DefaultModel becomes the key LLMKIT:DefaultModel, which is LlmKit:DefaultModel (keys ignore case).
        configBuilder.AddEnvironmentVariables();
        IConfigurationRoot merged;
        try
        {
            merged = configBuilder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliInputException($"--config: '{configFile?.FullName}' is not valid JSON: {ex.Message}");
        }

        bool hasProviders = merged.GetSection("LlmKit:Providers").GetChildren().Any();
        offline = !hasProviders || string.Equals(providerOverride, OfflineChatClient.ProviderName, StringComparison.OrdinalIgnoreCase);
        bool useOffline = offline;

        var services = new ServiceCollection();
        services.AddLlmKit(merged, kit =>
        {
            if (useOffline)
            {
                kit.AddProvider(OfflineChatClient.ProviderName, _ => new OfflineChatClient());
                kit.Configure(o =>
                {
                    o.DefaultProvider = OfflineChatClient.ProviderName;
                    o.DefaultModel ??= OfflineChatClient.ModelId;
                });
            }
            else if (providerOverride is not null)
            {
                kit.Configure(o => o.DefaultProvider = providerOverride);
            }
        });

        if (offline && !hasProviders)
        {
            diagnostics.WriteLine("llmkit: no provider is configured; using the offline model (set up a provider with --config FILE).");
        }

        return services.BuildServiceProvider();
    }
}
