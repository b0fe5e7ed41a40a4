using LlmKit;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite stores on an <see cref="ILlmKitBuilder"/>.</summary>
public static class SqliteLlmKitBuilderExtensions
{
    /// <summary>
    /// Keeps conversations, the usage ledger, prompt templates and budget counters in one SQLite database file,
    /// replacing the in-memory defaults: registers <see cref="SqliteConversationStore"/> as <see cref="IConversationStore"/>,
    /// <see cref="SqliteUsageLedger"/> as <see cref="IUsageLedger"/>, <see cref="SqliteTemplateStore"/> as
    /// <see cref="ITemplateStore"/> and <see cref="SqliteBudgetStore"/> as <see cref="IBudgetStore"/>, <see cref="SqliteApiKeyStore"/> as <see cref="IApiKeyStore"/> (singletons). The schema is created or upgraded on first use.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static ILlmKitBuilder UseSqliteStores(this ILlmKitBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.RemoveAll<IConversationStore>();
        builder.Services.RemoveAll<IUsageLedger>();
        builder.Services.RemoveAll<ITemplateStore>();
        builder.Services.RemoveAll<IBudgetStore>();
        builder.Services.RemoveAll<IApiKeyStore>();
        builder.Services.AddSingleton<IApiKeyStore>(_ => new SqliteApiKeyStore(connectionString));
        builder.Services.AddSingleton<IConversationStore>(sp => new SqliteConversationStore(connectionString, sp.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IUsageLedger>(_ => new SqliteUsageLedger(connectionString));
        builder.Services.AddSingleton<ITemplateStore>(sp => new SqliteTemplateStore(connectionString, sp.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IBudgetStore>(_ => new SqliteBudgetStore(connectionString));
        return builder;
    }

    /// <summary>
    /// Makes a <see cref="SqliteDistributedCache"/> on the SQLite file the app's <see cref="IDistributedCache"/> (a singleton,
    /// replacing any registered before), so the response cache's answers persist across restarts as the second level under
    /// its in-memory one. Use the same connection string as <see cref="UseSqliteStores"/> to keep everything in one file.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static ILlmKitBuilder UseSqliteCache(this ILlmKitBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.RemoveAll<IDistributedCache>();
        builder.Services.AddSingleton<IDistributedCache>(sp => new SqliteDistributedCache(connectionString, sp.GetService<TimeProvider>()));
        return builder;
    }
}
