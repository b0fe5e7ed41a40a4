namespace LlmKit;

/// <summary>
/// LlmKit is configured wrongly: a setting is missing or invalid, a provider is not registered, a
/// stage name is unknown. Raised at start-up or at the first use, and names the offending key.
/// </summary>
public class LlmKitConfigurationException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public LlmKitConfigurationException()
        : base("LlmKit is not configured correctly. Check the 'LlmKit' configuration section and the AddLlmKit() call.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public LlmKitConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public LlmKitConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the offending configuration keys.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="keys">The configuration keys (for example <c>LlmKit:Providers:openai:BaseUrl</c>) that are wrong.</param>
    public LlmKitConfigurationException(string message, IReadOnlyList<string> keys)
        : base(message)
    {
        Keys = keys;
    }

    /// <summary>Initializes a new instance naming the offending configuration keys, with the error that revealed them.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="keys">The configuration keys that are wrong.</param>
    /// <param name="innerException">The error that revealed the problem.</param>
    public LlmKitConfigurationException(string message, IReadOnlyList<string> keys, Exception? innerException)
        : base(message, innerException)
    {
        Keys = keys;
    }

    /// <summary>Gets the configuration keys that are wrong. Empty when the problem is not tied to a key.</summary>
    public IReadOnlyList<string> Keys { get; } = [];
}
