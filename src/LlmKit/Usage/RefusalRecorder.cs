using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Records a call a stage refused before it reached the provider (a budget's refusal, an input guard's block) in the usage
/// ledger: its own id, the caller's request id and the run id as correlation fields, the outcome, no tokens and a known
/// cost of zero, so a run's cost and its refusal are visible in one place. A ledger that fails does not hide the refusal.
/// </summary>
internal sealed class RefusalRecorder(IUsageLedger ledger, TimeProvider? timeProvider)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async ValueTask RecordAsync(ChatOptions? options, CallOutcome outcome, LlmFailureKind failure)
    {
        var context = options.GetLlmContext();
        var record = new UsageRecord
        {
            RequestId = RequestIds.Next(),
            CorrelationId = context.RequestId,
            RunId = context.RunId,
            Timestamp = _time.GetUtcNow(),
            TenantId = context.TenantId,
            UserId = context.UserId,
            ApiKeyId = context.ApiKeyId,
            ConversationId = context.ConversationId,
            LogicalModel = options?.ModelId,
            TemplateId = context.TemplateId,
            TemplateVersion = context.TemplateVersion,
            Cost = new CallCost { Total = 0m },
            Outcome = outcome,
            FailureKind = failure,
            Tags = context.Tags,
        };
        try
        {
            await ledger.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The refusal is what the caller must see; a ledger failure must not replace it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
