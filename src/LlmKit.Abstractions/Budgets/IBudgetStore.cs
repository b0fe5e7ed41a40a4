namespace LlmKit;

/// <summary>
/// Durable counters behind <see cref="IBudgetManager"/>: spend and reservations per budget, scope and
/// window. Every operation is atomic for its window; implementations in memory (the default), SQLite and
/// PostgreSQL keep one current window per budget and scope.
/// </summary>
public interface IBudgetStore
{
    /// <summary>
    /// Atomically reserves <paramref name="amount"/> in a window if the window's spend plus reservations
    /// plus <paramref name="amount"/> stays within <paramref name="limit"/>. Reserving again with the same
    /// <paramref name="reservationId"/> while it is open is a no-op that reports success.
    /// </summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="reservationId">The id of the reservation, unique per call.</param>
    /// <param name="amount">The amount to hold, zero or more.</param>
    /// <param name="limit">The window's limit.</param>
    /// <param name="now">The current time (rolling windows forget spend older than their period).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the amount is held; <see langword="false"/> when it does not fit.</returns>
    ValueTask<bool> TryReserveAsync(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically turns an open reservation into spend of <paramref name="actual"/>; a reservation that is not
    /// open (already settled or released, or never made) is left alone, so settling twice never counts twice.
    /// </summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="reservationId">The id of the reservation.</param>
    /// <param name="actual">The amount really spent; zero releases the reservation.</param>
    /// <param name="now">The current time (a rolling window counts the spend from now).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The window's spend after the settlement.</returns>
    ValueTask<decimal> SettleAsync(BudgetWindowKey key, string reservationId, decimal actual, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Returns the spend and reservations of one window.</summary>
    /// <param name="key">The budget, scope and window.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The spend, the sum of open reservations, and when a rolling window's oldest spend rolls off.</returns>
    ValueTask<BudgetWindowUsage> GetAsync(BudgetWindowKey key, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that an alert threshold was crossed in a window, once: returns <see langword="true"/> only
    /// for the first caller per budget, scope, window start (<see cref="BudgetWindowKey.WindowStart"/>) and threshold.
    /// </summary>
    /// <param name="key">The budget, scope and window the alert is counted in.</param>
    /// <param name="threshold">The threshold fraction.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when this call recorded the alert first.</returns>
    ValueTask<bool> TryMarkAlertAsync(BudgetWindowKey key, decimal threshold, CancellationToken cancellationToken = default);
}
