using LlmKit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL stores on an <see cref="ILlmKitBuilder"/>.</summary>
public static class PostgreSqlLlmKitBuilderExtensions
{
    /// <summary>
    /// Keeps conversations, the usage ledger, prompt templates and budget counters in PostgreSQL, replacing the
    /// in-memory defaults: registers <see cref="PostgreSqlConversationStore"/> as <see cref="IConversationStore"/>,
    /// <see cref="PostgreSqlUsageLedger"/> as <see cref="IUsageLedger"/>, <see cref="PostgreSqlTemplateStore"/> as
    /// <see cref="ITemplateStore"/> and <see cref="PostgreSqlBudgetStore"/> as <see cref="IBudgetStore"/>, <see cref="PostgreSqlApiKeyStore"/> as <see cref="IApiKeyStore"/> (singletons) over one <see cref="NpgsqlDataSource"/> built from
    /// <paramref name="connectionString"/> and disposed with the service provider. The schema is created or upgraded on
    /// first use. Only LlmKit uses that data source, and its statements leave no session state behind (no <c>SET</c>,
    /// temporary tables, listeners or session advisory locks), so it is built with <c>No Reset On Close=true</c>: a
    /// connection going back to the pool is not reset with <c>RESET ALL</c>, <c>CLOSE ALL</c> and the rest on the
    /// server before its next statement. A <c>No Reset On Close</c> in <paramref name="connectionString"/> wins.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="connectionString">The Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=...</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static ILlmKitBuilder UsePostgreSqlStores(this ILlmKitBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.TryAddSingleton(_ => new PostgreSqlStoresDataSource(PostgreSqlStoresDataSource.Create(connectionString)));
        return builder.UsePostgreSqlStores(sp => sp.GetRequiredService<PostgreSqlStoresDataSource>().DataSource);
    }

    /// <summary>
    /// Keeps conversations, the usage ledger, prompt templates and budget counters in PostgreSQL over a data source the app provides (for example one it
    /// also uses itself), replacing the in-memory defaults.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="dataSource">Returns the data source; the app owns it.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ILlmKitBuilder UsePostgreSqlStores(this ILlmKitBuilder builder, Func<IServiceProvider, NpgsqlDataSource> dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.Services.RemoveAll<IConversationStore>();
        builder.Services.RemoveAll<IUsageLedger>();
        builder.Services.RemoveAll<ITemplateStore>();
        builder.Services.RemoveAll<IBudgetStore>();
        builder.Services.RemoveAll<IApiKeyStore>();
        builder.Services.AddSingleton<IApiKeyStore>(sp => new PostgreSqlApiKeyStore(dataSource(sp)));
        builder.Services.AddSingleton<IConversationStore>(sp => new PostgreSqlConversationStore(dataSource(sp), sp.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IUsageLedger>(sp => new PostgreSqlUsageLedger(dataSource(sp)));
        builder.Services.AddSingleton<ITemplateStore>(sp => new PostgreSqlTemplateStore(dataSource(sp), sp.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IBudgetStore>(sp => new PostgreSqlBudgetStore(dataSource(sp)));
        return builder;
    }
}
