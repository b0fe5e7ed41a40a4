using System.Globalization;

namespace LlmKit;

/// <summary>
/// A call was refused because it would exceed a budget or quota.
/// </summary>
public class BudgetExceededException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public BudgetExceededException()
        : base("The call was refused because a budget is exhausted. Wait for the budget window to reset or raise the limit.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public BudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public BudgetExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance describing the exhausted budget; the message is composed from the values.</summary>
    /// <param name="budgetId">The id of the budget that refused the call.</param>
    /// <param name="scope">The scope the budget applies to.</param>
    /// <param name="unit">What the budget counts.</param>
    /// <param name="limit">The budget's limit in <paramref name="unit"/>.</param>
    /// <param name="remaining">What is left in the current window, in <paramref name="unit"/>.</param>
    /// <param name="requested">What the call would have reserved, in <paramref name="unit"/>.</param>
    /// <param name="resetsAt">When the current window ends, or <see langword="null"/> for a budget without windows.</param>
    public BudgetExceededException(string budgetId, BudgetScope scope, BudgetUnit unit, decimal limit, decimal remaining, decimal requested, DateTimeOffset? resetsAt)
        : base(ComposeMessage(budgetId, scope, unit, limit, remaining, requested, resetsAt))
    {
        BudgetId = budgetId;
        Scope = scope;
        Unit = unit;
        Limit = limit;
        Remaining = remaining;
        Requested = requested;
        ResetsAt = resetsAt;
    }

    /// <summary>Initializes a new instance describing the budget that refused the call, with a message of the caller's own.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="budgetId">The id of the budget that refused the call.</param>
    /// <param name="scope">The scope the budget applies to.</param>
    /// <param name="unit">What the budget counts.</param>
    /// <param name="limit">The budget's limit in <paramref name="unit"/>.</param>
    /// <param name="remaining">What is left in the current window, in <paramref name="unit"/>.</param>
    /// <param name="resetsAt">When the current window ends, or <see langword="null"/>.</param>
    public BudgetExceededException(string message, string budgetId, BudgetScope scope, BudgetUnit unit, decimal limit, decimal remaining, DateTimeOffset? resetsAt)
        : base(message)
    {
        BudgetId = budgetId;
        Scope = scope;
        Unit = unit;
        Limit = limit;
        Remaining = remaining;
        ResetsAt = resetsAt;
    }

    /// <summary>Gets the id of the budget that refused the call, or <see langword="null"/>.</summary>
    public string? BudgetId { get; }

    /// <summary>Gets the scope the budget applies to, or <see langword="null"/>.</summary>
    public BudgetScope? Scope { get; }

    /// <summary>Gets what the budget counts.</summary>
    public BudgetUnit Unit { get; }

    /// <summary>Gets the budget's limit.</summary>
    public decimal Limit { get; }

    /// <summary>Gets what is left in the current window.</summary>
    public decimal Remaining { get; }

    /// <summary>Gets what the refused call would have reserved.</summary>
    public decimal Requested { get; }

    /// <summary>Gets when the current window ends, or <see langword="null"/>.</summary>
    public DateTimeOffset? ResetsAt { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.BudgetExceeded;

    private static decimal Round(decimal value) => Math.Round(value, 6, MidpointRounding.AwayFromZero);

    private static string ComposeMessage(string budgetId, BudgetScope scope, BudgetUnit unit, decimal limit, decimal remaining, decimal requested, DateTimeOffset? resetsAt)
    {
        string u = unit == BudgetUnit.Usd ? "USD" : "tokens";
        string reset = resetsAt is { } r
            ? string.Create(CultureInfo.InvariantCulture, $" The window resets at {r:O}.")
            : " The budget has no window, so it does not reset.";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Budget '{budgetId}' for {scope} would be exceeded: the call needs {Round(requested)} {u} but only {Round(remaining)} of {Round(limit)} {u} remain.{reset} Wait for the reset, raise the limit, or use a cheaper model.");
    }
}
