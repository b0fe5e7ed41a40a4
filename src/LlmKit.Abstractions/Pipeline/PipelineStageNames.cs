namespace LlmKit;

/// <summary>
/// The names of LlmKit's standard pipeline stages, outermost first as in the default order. Use them
/// with <see cref="ChatPipelineBuilder"/> to remove, replace or position stages.
/// </summary>
public static class PipelineStageNames
{
    /// <summary>Telemetry: one activity per call, GenAI metrics and logs.</summary>
    public const string Telemetry = "telemetry";

    /// <summary>
    /// Structured output: for a request with a JSON Schema response format, takes the native or the emulated path,
    /// validates the answer against the schema and runs repair rounds (each one passes every stage inside it).
    /// </summary>
    public const string StructuredOutput = "structured-output";

    /// <summary>
    /// The tool loop (function invocation), inside structured output: it runs the tools the model calls and sends their
    /// results back, so every model round trip of a run passes the guards, the budget, metering and routing.
    /// </summary>
    public const string ToolLoop = "tool-loop";

    /// <summary>The input guard: prompt-injection signals, PII redaction or anonymisation, size limits.</summary>
    public const string InputGuard = "input-guard";

    /// <summary>The response cache: answers repeated requests from the cache, scoped by tenant.</summary>
    public const string ResponseCache = "response-cache";

    /// <summary>The output guard: restores anonymised PII and filters responses.</summary>
    public const string OutputGuard = "output-guard";

    /// <summary>Budget admission: reserve the estimated cost, settle after.</summary>
    public const string Budget = "budget";

    /// <summary>Metering: usage, cost, ledger and per-model performance statistics.</summary>
    public const string Metering = "metering";
}
