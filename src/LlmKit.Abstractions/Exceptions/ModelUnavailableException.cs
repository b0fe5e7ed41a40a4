namespace LlmKit;

/// <summary>
/// Every deployment that could serve the model is temporarily out of rotation (its circuit breaker is open after repeated
/// failures, or it is cooling down), so the call was not sent. <see cref="RetryAt"/> says when the first of them is tried
/// again.
/// </summary>
public class ModelUnavailableException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ModelUnavailableException()
        : base("No deployment of the model can take calls now. Try again later.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ModelUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ModelUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a model none of whose deployments can take a call now.</summary>
    /// <param name="modelId">The model id or alias the caller asked for.</param>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="retryAt">When the first deployment is tried again, or <see langword="null"/> when unknown.</param>
    /// <param name="rejections">Why each candidate deployment was skipped, keyed by deployment name.</param>
    public ModelUnavailableException(string modelId, string message, DateTimeOffset? retryAt, IReadOnlyDictionary<string, string>? rejections)
        : base(message)
    {
        ModelId = modelId;
        RetryAt = retryAt;
        Rejections = rejections ?? new Dictionary<string, string>();
    }

    /// <summary>Gets the model id or alias the caller asked for, or <see langword="null"/>.</summary>
    public string? ModelId { get; }

    /// <summary>Gets when the first deployment of the model is tried again, or <see langword="null"/> when unknown.</summary>
    public DateTimeOffset? RetryAt { get; }

    /// <summary>Gets why each candidate deployment was skipped, keyed by deployment name. Empty when none was considered.</summary>
    public IReadOnlyDictionary<string, string> Rejections { get; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.Unavailable;
}
