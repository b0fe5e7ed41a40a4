using System.Globalization;

namespace LlmKit;

/// <summary>
/// The prompt plus the requested output does not fit the model's context window, as counted by
/// LlmKit before the call or reported by the provider.
/// </summary>
public class ContextWindowExceededException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ContextWindowExceededException()
        : base("The request does not fit the model's context window. Shorten the conversation, lower the maximum output tokens, or use a model with a larger window.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ContextWindowExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, such as the provider's <see cref="ProviderException"/>.</param>
    public ContextWindowExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance from the counted sizes; the message is composed from the values.</summary>
    /// <param name="modelId">The model whose window is too small.</param>
    /// <param name="requestedTokens">The prompt tokens plus the reserved output tokens.</param>
    /// <param name="contextWindow">The model's context window in tokens.</param>
    public ContextWindowExceededException(string modelId, int requestedTokens, int contextWindow)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"The request needs {requestedTokens} tokens (prompt plus reserved output) but model '{modelId}' has a context window of {contextWindow}. Shorten the conversation, lower the maximum output tokens, or use a model with a larger window."))
    {
        ModelId = modelId;
        RequestedTokens = requestedTokens;
        ContextWindow = contextWindow;
    }

    /// <summary>Gets the model whose window is too small, or <see langword="null"/>.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the tokens the request needed, or <see langword="null"/> when the provider did not say.</summary>
    public int? RequestedTokens { get; init; }

    /// <summary>Gets the model's context window in tokens, or <see langword="null"/> when unknown.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Gets the provider name when the provider reported the error, otherwise <see langword="null"/>.</summary>
    public string? Provider { get; init; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.ContextWindowExceeded;
}
