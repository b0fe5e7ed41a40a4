namespace LlmKit;

/// <summary>
/// Admits calls against every budget in their scope: reserves before the call and settles the real
/// cost after it. Implementations are atomic under concurrency: the spend never exceeds a limit by
/// more than what was reserved.
/// </summary>
public interface IBudgetManager
{
    /// <summary>
    /// Reserves the estimated cost of a call against every budget in scope.
    /// </summary>
    /// <param name="request">What the call needs.</param>
    /// <param name="cancellationToken">Cancels the reservation.</param>
    /// <returns>The reservation to settle or release; when a budget with <see cref="BudgetExhaustedAction.Degrade"/> has no room, a reservation that holds nothing and names the cheaper model in <see cref="BudgetReservation.DegradedToModel"/>.</returns>
    /// <exception cref="BudgetExceededException">A budget whose action is <see cref="BudgetExhaustedAction.Reject"/> has no room (or cannot price the call); nothing stays reserved.</exception>
    ValueTask<BudgetReservation> ReserveAsync(BudgetAdmissionRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a reservation with the call's real cost and raises the alerts whose thresholds the spend crossed.
    /// Settling or releasing the same reservation again has no further effect.
    /// </summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="actualUsd">The real cost in USD, or <see langword="null"/> when unknown (the reserved USD is then kept as spent).</param>
    /// <param name="actualTokens">The real tokens.</param>
    /// <param name="cancellationToken">Cancels the settlement.</param>
    /// <returns>A task that completes when the budgets are updated.</returns>
    ValueTask SettleAsync(BudgetReservation reservation, decimal? actualUsd, long actualTokens, CancellationToken cancellationToken = default);

    /// <summary>Releases a reservation of a call that did not run or cost nothing.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when the budgets are updated.</returns>
    ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default);

    /// <summary>Returns the current window of every budget that applies to <paramref name="context"/> (and <paramref name="model"/>).</summary>
    /// <param name="context">The request context whose scopes to look up.</param>
    /// <param name="model">The logical model or model id for per-model budgets, or <see langword="null"/> to include only per-model budgets that name a model.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One status per budget and concrete scope, in the order the budgets were defined.</returns>
    ValueTask<IReadOnlyList<BudgetStatus>> GetStatusAsync(LlmRequestContext context, string? model = null, CancellationToken cancellationToken = default);

    /// <summary>Raised once per window when a budget crosses one of its alert thresholds.</summary>
    event EventHandler<BudgetAlert>? AlertRaised;
}
