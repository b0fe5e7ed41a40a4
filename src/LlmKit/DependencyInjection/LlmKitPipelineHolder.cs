namespace LlmKit;

/// <summary>Holds the one <see cref="ChatPipelineBuilder"/> of a service collection, so that repeated <c>AddLlmKit()</c> calls share it.</summary>
internal sealed record LlmKitPipelineHolder(ChatPipelineBuilder Builder);
