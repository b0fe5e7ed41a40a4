namespace LlmKit;

/// <summary>
/// Durable counters behind <see cref="IBudgetManager"/>: spend and reservations per budget, scope and
/// window. Implementations in memory, SQLite and PostgreSQL make every operation atomic.
/// </summary>
public interface IBudgetStore
{
    /// <summary>
    /// Atomically reserves <paramref name="amount"/> in a window if the window's spend plus reservations
    /// plus <paramref name="amount"/> stays within <paramref name="limit"/>. Reserving again with the same
    /// <paramref name="reservationId"/> is a no-op that reports the earlier result.
    /// </summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="reservationId">The id of the reservation.</param>
    /// <param name="amount">The amount to hold.</param>
    /// <param name="limit">The window's limit.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the amount is held; <see langword="false"/> when it does not fit.</returns>
    ValueTask<bool> TryReserveAsync(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically turns a reservation into spend of <paramref name="actual"/>; a second call for the same
    /// reservation does nothing.
    /// </summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="reservationId">The id of the reservation.</param>
    /// <param name="actual">The amount really spent; zero releases the reservation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The window's spend after the settlement.</returns>
    ValueTask<decimal> SettleAsync(BudgetWindowKey key, string reservationId, decimal actual, CancellationToken cancellationToken = default);

    /// <summary>Returns the spend and reservations of one window.</summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The spend and the sum of open reservations.</returns>
    ValueTask<(decimal Spent, decimal Reserved)> GetAsync(BudgetWindowKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that an alert threshold was crossed in a window, once: returns <see langword="true"/> only
    /// for the first caller.
    /// </summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="threshold">The threshold fraction.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when this call recorded the alert first.</returns>
    ValueTask<bool> TryMarkAlertAsync(BudgetWindowKey key, decimal threshold, CancellationToken cancellationToken = default);
}
