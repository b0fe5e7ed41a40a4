using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>Builds the budget manager from <see cref="LlmKitOptions.Budgets"/> and checks those options at start-up.</summary>
internal static class BudgetServices
{
    public static IBudgetManager CreateManager(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LlmKitOptions>>().Value;
        return new BudgetManager(
            Definitions(options),
            services.GetRequiredService<IBudgetStore>(),
            services.GetService<TimeProvider>(),
            services.GetServices<IBudgetAlertHandler>(),
            services.GetService<ILogger<BudgetManager>>());
    }

    public static IEnumerable<BudgetDefinition> Definitions(LlmKitOptions options)
    {
        foreach (var (id, budget) in options.Budgets)
        {
            if (budget is not null)
            {
                yield return budget.ToDefinition(id);
            }
        }
    }

    /// <summary>Reports each bad budget setting under its <c>LlmKit:Budgets:{id}:{setting}</c> key.</summary>
    public static void ValidateOptions(LlmKitOptions options, int providerCount, Action<string, string> problem)
    {
        foreach (var (id, budget) in options.Budgets)
        {
            string key = "LlmKit:Budgets:" + id;
            if (budget is null)
            {
                problem(key, "the budget is empty; set at least its 'Limit'.");
                continue;
            }

            BudgetValidation.Validate(budget.ToDefinition(id), problem);
            if (budget.DegradeTo is { Length: > 0 } cheaper && budget.OnExhausted == BudgetExhaustedAction.Degrade
                && !options.Models.ContainsKey(cheaper) && string.IsNullOrWhiteSpace(options.DefaultProvider) && providerCount != 1)
            {
                problem(key + ":DegradeTo", $"'{cheaper}' is not a logical model under 'LlmKit:Models', and there is no default provider to send it to. Define it or set 'LlmKit:DefaultProvider'.");
            }
        }

        if (options.BudgetAdmission.DefaultMaxOutputTokens <= 0)
        {
            problem("LlmKit:BudgetAdmission:DefaultMaxOutputTokens", string.Create(CultureInfo.InvariantCulture, $"must be positive; it is {options.BudgetAdmission.DefaultMaxOutputTokens}."));
        }
    }
}
