using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Attaches a <see cref="LlmRequestContext"/> to <see cref="ChatOptions"/> and reads it back.
/// </summary>
public static class LlmRequestContextChatOptionsExtensions
{
    /// <summary>
    /// The key under which the context is stored in <see cref="ChatOptions.AdditionalProperties"/>.
    /// Provider clients never send it on the wire.
    /// </summary>
    public const string AdditionalPropertiesKey = "llmkit.context";

    /// <summary>Stores <paramref name="context"/> on <paramref name="options"/> and returns the same options.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="context">The context to attach.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatOptions WithLlmContext(this ChatOptions options, LlmRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        (options.AdditionalProperties ??= [])[AdditionalPropertiesKey] = context;
        return options;
    }

    /// <summary>
    /// Returns the context attached to <paramref name="options"/>, else the ambient
    /// <see cref="LlmRequestContext.Current"/>, else <see cref="LlmRequestContext.Empty"/>.
    /// </summary>
    /// <param name="options">The options of the call, or <see langword="null"/>.</param>
    /// <returns>The effective context; never <see langword="null"/>.</returns>
    public static LlmRequestContext GetLlmContext(this ChatOptions? options)
    {
        if (options?.AdditionalProperties is { } props
            && props.TryGetValue(AdditionalPropertiesKey, out object? value)
            && value is LlmRequestContext context)
        {
            return context;
        }

        return LlmRequestContext.Current ?? LlmRequestContext.Empty;
    }
}
