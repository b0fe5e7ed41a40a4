namespace LlmKit;

/// <summary>How a call ended, as recorded in the usage ledger.</summary>
public enum CallOutcome
{
    /// <summary>The call completed.</summary>
    Success = 0,

    /// <summary>The call failed with an error.</summary>
    Failure,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled,

    /// <summary>A guard or the provider blocked the content.</summary>
    Blocked,

    /// <summary>A budget refused the call.</summary>
    BudgetRejected,

    /// <summary>The response cache answered the call: no provider was called, the cost is 0 and <see cref="UsageRecord.SavedCostUsd"/> holds what the original call cost.</summary>
    CacheHit,
}
