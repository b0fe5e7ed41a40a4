using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>Collects the bad keys of one connection's settings and throws them together, each with its full path.</summary>
internal sealed class SettingsProblems(string? connection)
{
    private readonly List<string> _keys = [];
    private readonly List<string> _messages = [];

    public void Add(string setting, string message)
    {
        string key = $"LlmKit:Providers:{connection}:Settings:{setting}";
        _keys.Add(key);
        _messages.Add($"'{key}' {message}");
    }

    /// <summary>Throws rather than returns, so that the host sees a LlmKit exception with the keys.</summary>
    public ValidateOptionsResult ThrowIfAny()
        => _keys.Count == 0 ? ValidateOptionsResult.Success : throw new LlmKitConfigurationException(string.Join(" ", _messages), [.. _keys]);

    public static bool IsHeaderSafe(string value)
    {
        foreach (char c in value)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
