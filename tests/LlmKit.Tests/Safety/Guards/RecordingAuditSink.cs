using System.Collections.Concurrent;

namespace LlmKit.Tests.Safety;

/// <summary>Keeps every audit event it receives.</summary>
internal sealed class RecordingAuditSink : IGuardAuditSink
{
    public ConcurrentQueue<GuardAuditEvent> Events { get; } = new();

    public ValueTask WriteAsync(GuardAuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}
