using LlmKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Code-first budgets and alert handlers on <see cref="ILlmKitBuilder"/>.</summary>
public static class LlmKitBudgetBuilderExtensions
{
    /// <summary>
    /// Adds a budget (or replaces a configured one with the same id). Budgets added in code are validated at start-up
    /// with the configured ones, under the key <c>LlmKit:Budgets:{id}</c>.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="budget">The budget.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddBudget(this ILlmKitBuilder builder, BudgetDefinition budget)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(budget);
        var options = BudgetOptions.From(budget);
        builder.Services.Configure<LlmKitOptions>(o => o.Budgets[budget.Id] = options);
        return builder;
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> as a singleton <see cref="IBudgetAlertHandler"/>: the budget manager calls
    /// it once per alert (threshold, budget, scope and window).
    /// </summary>
    /// <typeparam name="THandler">The handler type, resolved from the service provider.</typeparam>
    /// <param name="builder">The LlmKit builder.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddBudgetAlertHandler<THandler>(this ILlmKitBuilder builder)
        where THandler : class, IBudgetAlertHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IBudgetAlertHandler, THandler>();
        return builder;
    }
}
