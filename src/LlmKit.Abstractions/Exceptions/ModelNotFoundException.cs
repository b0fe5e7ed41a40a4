namespace LlmKit;

/// <summary>
/// A model id or alias is not known to the registry, or no active deployment can serve it.
/// </summary>
public class ModelNotFoundException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ModelNotFoundException()
        : base("The model is not known. Register it, or use one of the configured model ids or aliases.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ModelNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ModelNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a model that could not be served.</summary>
    /// <param name="modelId">The model id or alias the caller asked for.</param>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="rejections">Why each candidate deployment was rejected, keyed by deployment name.</param>
    public ModelNotFoundException(string modelId, string message, IReadOnlyDictionary<string, string>? rejections)
        : base(message)
    {
        ModelId = modelId;
        Rejections = rejections ?? new Dictionary<string, string>();
    }

    /// <summary>Gets the model id or alias the caller asked for, or <see langword="null"/>.</summary>
    public string? ModelId { get; }

    /// <summary>Gets why each candidate deployment was rejected, keyed by deployment name. Empty when none was considered.</summary>
    public IReadOnlyDictionary<string, string> Rejections { get; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.NotFound;
}
