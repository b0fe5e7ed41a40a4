namespace LlmKit;

/// <summary>Receives guard audit events, for example to write them to a security log.</summary>
public interface IGuardAuditSink
{
    /// <summary>Records an event. Must not throw; failures are the sink's to handle.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the event is recorded.</returns>
    ValueTask WriteAsync(GuardAuditEvent auditEvent, CancellationToken cancellationToken = default);
}
