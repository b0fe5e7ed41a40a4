namespace LlmKit;

/// <summary>
/// Receives budget alerts: register implementations in DI (<c>services.AddSingleton&lt;IBudgetAlertHandler, MyHandler&gt;()</c>)
/// and <see cref="IBudgetManager"/> calls each once per alert, besides raising <see cref="IBudgetManager.AlertRaised"/>.
/// </summary>
/// <remarks>
/// Handlers run on the call that settled the spend (or was refused), after the budgets are updated; keep them quick
/// and hand slow work (mail, webhooks) to a queue. A handler that throws is logged and never fails the call.
/// </remarks>
public interface IBudgetAlertHandler
{
    /// <summary>Handles one alert.</summary>
    /// <param name="alert">The threshold crossed, by which budget and scope, in which window.</param>
    /// <param name="cancellationToken">Cancels the handling.</param>
    /// <returns>A task that completes when the alert is handled.</returns>
    ValueTask OnBudgetAlertAsync(BudgetAlert alert, CancellationToken cancellationToken);
}
