namespace LlmKit;

/// <summary>OpenTelemetry GenAI semantic-convention attribute names used by the telemetry stage.</summary>
internal static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestStopSequences = "gen_ai.request.stop_sequences";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string UsageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string ErrorType = "error.type";
    public const string LlmKitDeployment = "llmkit.deployment";
    public const string LlmKitTenant = "llmkit.tenant.id";
    public const string LlmKitTemplateId = "llmkit.template.id";
    public const string LlmKitTemplateVersion = "llmkit.template.version";
    public const string LlmKitCostUsd = "llmkit.cost.usd";
    public const string ChatOperation = "chat";
}
