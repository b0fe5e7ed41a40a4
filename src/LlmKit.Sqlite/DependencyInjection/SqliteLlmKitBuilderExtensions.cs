using LlmKit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite stores on an <see cref="ILlmKitBuilder"/>.</summary>
public static class SqliteLlmKitBuilderExtensions
{
    /// <summary>
    /// Keeps conversations and the usage ledger in one SQLite database file, replacing the in-memory defaults:
    /// registers <see cref="SqliteConversationStore"/> as <see cref="IConversationStore"/> and <see cref="SqliteUsageLedger"/>
    /// as <see cref="IUsageLedger"/> (singletons). The schema is created or upgraded on first use.
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
        builder.Services.AddSingleton<IConversationStore>(sp => new SqliteConversationStore(connectionString, sp.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IUsageLedger>(_ => new SqliteUsageLedger(connectionString));
        return builder;
    }
}
