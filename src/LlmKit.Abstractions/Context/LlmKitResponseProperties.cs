namespace LlmKit;

/// <summary>
/// Keys LlmKit sets in <c>ChatResponse.AdditionalProperties</c> (and on the first
/// <c>ChatResponseUpdate</c> of a stream) to say which deployment served the call.
/// </summary>
public static class LlmKitResponseProperties
{
    /// <summary>The provider connection that served the call (a <see cref="string"/>).</summary>
    public const string Provider = "llmkit.provider";

    /// <summary>The deployment that served the call (a <see cref="string"/>).</summary>
    public const string Deployment = "llmkit.deployment";

    /// <summary>The model name the deployment sent to its provider (a <see cref="string"/>), used to look up prices.</summary>
    public const string DeploymentModel = "llmkit.deployment_model";

    /// <summary>The logical model the caller asked for (a <see cref="string"/>).</summary>
    public const string LogicalModel = "llmkit.logical_model";

    /// <summary>
    /// The provider's own finish reason (a <see cref="string"/>, such as Anthropic's <c>end_turn</c>), kept
    /// beside the normalised <c>ChatResponse.FinishReason</c>.
    /// </summary>
    public const string RawFinishReason = "llmkit.raw_finish_reason";
}
