namespace LlmKit;

/// <summary>Collects configuration problems, each under its full key, and throws them together as one exception.</summary>
internal sealed class ConfigurationProblems
{
    private readonly List<string> _keys = [];
    private readonly List<string> _messages = [];

    public int Count => _keys.Count;

    public void Add(string key, string message)
    {
        _keys.Add(key);
        _messages.Add($"'{key}': {message}");
    }

    /// <summary>Throws one <see cref="LlmKitConfigurationException"/> listing every problem, when there is one.</summary>
    public void ThrowIfAny(string heading, Exception? innerException = null)
    {
        if (_keys.Count > 0)
        {
            throw new LlmKitConfigurationException(heading + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", _messages), [.. _keys], innerException);
        }
    }
}
