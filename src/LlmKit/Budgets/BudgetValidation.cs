using System.Globalization;

namespace LlmKit;

/// <summary>Checks budget definitions; problems are reported under their configuration keys (<c>LlmKit:Budgets:{id}:Limit</c>).</summary>
internal static class BudgetValidation
{
    /// <summary>Reports every problem of <paramref name="budget"/> through <paramref name="problem"/> (key, message).</summary>
    public static void Validate(BudgetDefinition budget, Action<string, string> problem)
    {
        string key = "LlmKit:Budgets:" + budget.Id;
        if (string.IsNullOrWhiteSpace(budget.Id))
        {
            problem("LlmKit:Budgets", "a budget needs a non-empty id.");
        }

        if (!Enum.IsDefined(budget.Scope.Kind))
        {
            problem(key + ":Scope", $"'{budget.Scope.Kind}' is not a budget scope. Known: {string.Join(", ", Enum.GetNames<BudgetScopeKind>())}.");
        }
        else if (budget.Scope.Kind != BudgetScopeKind.Global && string.IsNullOrWhiteSpace(budget.Scope.Value))
        {
            problem(key + ":ScopeValue", $"a {budget.Scope.Kind} budget needs the id it limits, or '*' for each {budget.Scope.Kind.ToString().ToLowerInvariant()} on its own.");
        }

        if (!Enum.IsDefined(budget.Unit))
        {
            problem(key + ":Unit", $"'{budget.Unit}' is not a budget unit. Known: {string.Join(", ", Enum.GetNames<BudgetUnit>())}.");
        }

        if (budget.Limit < 0)
        {
            problem(key + ":Limit", string.Create(CultureInfo.InvariantCulture, $"must be zero or more; it is {budget.Limit}."));
        }

        if (!Enum.IsDefined(budget.Period))
        {
            problem(key + ":Period", $"'{budget.Period}' is not a budget period. Known: {string.Join(", ", Enum.GetNames<BudgetPeriod>())}.");
        }

        if (TryFindZone(budget.TimeZoneId, out _) is { } zoneError)
        {
            problem(key + ":TimeZone", zoneError);
        }

        if (budget.AlertThresholds is null)
        {
            problem(key + ":AlertThresholds", "must be a list (empty for no alerts).");
        }
        else
        {
            for (int i = 0; i < budget.AlertThresholds.Count; i++)
            {
                decimal t = budget.AlertThresholds[i];
                if (t <= 0 || t > 10)
                {
                    problem(string.Create(CultureInfo.InvariantCulture, $"{key}:AlertThresholds:{i}"), string.Create(CultureInfo.InvariantCulture, $"must be a fraction of the limit above 0 and at most 10 (0.8 is 80 %); it is {t}."));
                }
            }
        }

        if (!Enum.IsDefined(budget.OnExhausted))
        {
            problem(key + ":OnExhausted", $"'{budget.OnExhausted}' is not an action. Known: {string.Join(", ", Enum.GetNames<BudgetExhaustedAction>())}.");
        }
        else if (budget.OnExhausted == BudgetExhaustedAction.Degrade && string.IsNullOrWhiteSpace(budget.DegradeToModel))
        {
            problem(key + ":DegradeTo", "is required when OnExhausted is Degrade: name the cheaper logical model or model id calls are sent to.");
        }

        if (!Enum.IsDefined(budget.OnUnknownPrice))
        {
            problem(key + ":OnUnknownPrice", $"'{budget.OnUnknownPrice}' is not an action. Known: {string.Join(", ", Enum.GetNames<BudgetUnknownPriceAction>())}.");
        }
    }

    /// <summary>Finds an IANA or Windows time zone; returns the problem, or <see langword="null"/> when found.</summary>
    public static string? TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
        {
            return "is required: an IANA time zone id such as 'Europe/Berlin', or 'UTC'.";
        }

        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return null;
        }
        catch (TimeZoneNotFoundException)
        {
            return $"'{id}' is not a time zone on this machine. Use an IANA id such as 'Europe/Berlin' or 'America/New_York'.";
        }
        catch (InvalidTimeZoneException ex)
        {
            return $"'{id}' is a time zone whose data on this machine is damaged ({ex.Message}).";
        }
    }
}
