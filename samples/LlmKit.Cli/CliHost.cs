using LlmKit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli;

/// <summary>
/// Builds the service provider every command runs on: configuration from --config and the environment
/// (LLMKIT__ variables), the providers named on the command line or found through their usual key
/// variables, then AddLlmKit(). With no provider at all it registers the offline model and says so.
/// </summary>
internal static class CliHost
{
    /// <summary>The model each provider gets when neither --model nor configuration names one.</summary>
    private static readonly Dictionary<string, string> DefaultModels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = "gpt-4o-mini",
        ["gemini"] = "gemini-2.5-flash",
        ["anthropic"] = "claude-haiku-4-5",
        ["ollama"] = "llama3.2",
    };

    /// <summary>The context window a conversation on the offline model is fitted to.</summary>
    private const int OfflineContextWindow = 128_000;

    private static readonly (string Variable, string Provider)[] KeyVariables = [("OPENAI_API_KEY", "openai"), ("ANTHROPIC_API_KEY", "anthropic"), ("GEMINI_API_KEY", "gemini")];

    public static ServiceProvider Build(FileInfo? configFile, CliConnection connection, TextWriter diagnostics, out bool offline)
        => Build(configFile, connection, diagnostics, sqliteDatabase: null, out offline);

    /// <summary>Builds the services; with <paramref name="sqliteDatabase"/> the stores are kept in that SQLite file (created if missing).</summary>
    public static ServiceProvider Build(FileInfo? configFile, CliConnection connection, TextWriter diagnostics, FileInfo? sqliteDatabase, out bool offline)
        => Build(configFile, connection, diagnostics, sqliteDatabase, configure: null, out offline);

    /// <summary>Builds the services, then lets <paramref name="configure"/> add to the LlmKit registration (such as a response cache).</summary>
    public static ServiceProvider Build(FileInfo? configFile, CliConnection connection, TextWriter diagnostics, FileInfo? sqliteDatabase, Action<ILlmKitBuilder>? configure, out bool offline)
    {
        var configBuilder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!configFile.Exists)
            {
                throw new CliInputException($"--config: file '{configFile.FullName}' does not exist.");
            }

            configBuilder.AddConfiguration(ReadConfigFile(configFile));
        }

        // LLMKIT__DefaultModel becomes the key LLMKIT:DefaultModel, which is LlmKit:DefaultModel (keys ignore case).
        configBuilder.AddEnvironmentVariables();
        IConfigurationRoot configuration = configBuilder.Build();

        var configured = configuration.GetSection("LlmKit:Providers").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string? provider = connection.Provider;
        if (provider is null && configured.Count == 0)
        {
            // The providers' usual key variables pick a provider when nothing else does.
            provider = KeyVariables.FirstOrDefault(k => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(k.Variable))).Provider;
        }

        offline = string.Equals(provider, OfflineChatClient.ProviderName, StringComparison.OrdinalIgnoreCase) || (provider is null && configured.Count == 0);
        bool useOffline = offline;
        string? adHoc = provider is not null && !useOffline && !configured.Contains(provider) ? provider : null;
        if (adHoc is null && (connection.BaseUrl is not null || connection.ApiKey is not null))
        {
            throw new CliInputException(provider is null
                ? "--base-url and --api-key need --provider to say which API the server speaks (openai, ollama, or a profile such as vllm)."
                : $"--base-url and --api-key apply to a provider given on the command line; '{provider}' is configured in --config, so set them there.");
        }

        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit =>
        {
            kit.AddOpenAIProviderTypes().AddOllamaProviderType().AddGeminiProviderType().AddAnthropicProviderType();
            if (sqliteDatabase is not null)
            {
                kit.UseSqliteStores(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = sqliteDatabase.FullName }.ToString());
            }

            if (useOffline)
            {
                kit.AddProvider(OfflineChatClient.ProviderName, _ => new OfflineChatClient());
                kit.Configure(o =>
                {
                    o.DefaultProvider = OfflineChatClient.ProviderName;
                    o.DefaultModel ??= OfflineChatClient.ModelId;

                    // The offline model is not in the catalog; a persisted conversation (chat --db) needs a window to fit.
                    o.Conversations.DefaultContextWindow ??= OfflineContextWindow;
                });
            }
            else if (adHoc is not null)
            {
                AddAdHocProvider(kit, adHoc, connection);
                kit.Configure(o =>
                {
                    o.DefaultProvider = adHoc;
                    if (o.DefaultModel is null && DefaultModels.TryGetValue(adHoc, out string? model))
                    {
                        o.DefaultModel = model;
                    }
                });
            }
            else if (provider is not null)
            {
                kit.Configure(o => o.DefaultProvider = provider);
            }

            configure?.Invoke(kit);
        });

        if (offline && connection.Provider is null)
        {
            diagnostics.WriteLine("llmkit: no provider is configured; using the offline model (use --provider, --config FILE, or set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY).");
        }

        return services.BuildServiceProvider();
    }

    private static void AddAdHocProvider(ILlmKitBuilder kit, string provider, CliConnection connection)
    {
        if (string.Equals(provider, "ollama", StringComparison.OrdinalIgnoreCase))
        {
            kit.AddOllama(provider, o =>
            {
                if (connection.BaseUrl is { } url)
                {
                    o.BaseUrl = url;
                }

                o.ApiKey = connection.ApiKey;
            });
            return;
        }

        if (string.Equals(provider, "anthropic", StringComparison.OrdinalIgnoreCase))
        {
            kit.AddAnthropic(provider, o =>
            {
                o.BaseUrl = connection.BaseUrl ?? o.BaseUrl;
                o.ApiKey = connection.ApiKey ?? o.ApiKey;
            });
            return;
        }

        if (string.Equals(provider, "gemini", StringComparison.OrdinalIgnoreCase))
        {
            kit.AddGemini(provider, o =>
            {
                o.BaseUrl = connection.BaseUrl ?? o.BaseUrl;
                o.ApiKey = connection.ApiKey ?? o.ApiKey;
            });
            return;
        }

        var profile = OpenAICompatibilityProfile.BuiltIn.FirstOrDefault(p => string.Equals(p.Name, provider, StringComparison.OrdinalIgnoreCase))
            ?? (connection.BaseUrl is not null ? OpenAICompatibilityProfile.Custom : null)
            ?? throw new CliInputException($"--provider: '{provider}' is not a known provider. Use openai, anthropic, gemini, ollama, one of {string.Join(", ", OpenAICompatibilityProfile.BuiltIn.Select(p => p.Name.ToLowerInvariant()))}, a connection from --config, or give --base-url for any OpenAI-compatible server.");
        kit.AddOpenAICompatible(profile, provider, o =>
        {
            o.BaseUrl = connection.BaseUrl ?? o.BaseUrl;
            o.ApiKey = connection.ApiKey ?? o.ApiKey;
        });
    }

    /// <summary>
    /// Reads --config: an appsettings.json-style file whose top-level <c>LlmKit</c> object holds the settings, or a file
    /// that is that object's content alone (<c>{ "Providers": ... }</c>), which is read as if it were under <c>LlmKit</c>.
    /// </summary>
    private static IConfiguration ReadConfigFile(FileInfo configFile)
    {
        IConfigurationRoot json;
        try
        {
            json = new ConfigurationBuilder().AddJsonFile(configFile.FullName, optional: false).Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliInputException($"--config: '{configFile.FullName}' is not valid JSON: {ex.Message}");
        }

        if (json.GetSection("LlmKit").Exists())
        {
            return json;
        }

        return new ConfigurationBuilder()
            .AddInMemoryCollection(json.AsEnumerable().Where(static p => p.Value is not null).Select(static p => KeyValuePair.Create("LlmKit:" + p.Key, p.Value)))
            .Build();
    }
}
