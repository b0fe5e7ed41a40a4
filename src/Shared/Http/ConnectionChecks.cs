namespace LlmKit.Http;

/// <summary>
/// The checks every provider client makes on its settings when it is created (at host start-up for the connections
/// LlmKit manages), so that a bad key or address is a clear <see cref="LlmKitConfigurationException"/> naming the setting,
/// never a <see cref="FormatException"/> or <see cref="NotSupportedException"/> from the HTTP stack on every call.
/// </summary>
internal static class ConnectionChecks
{
    /// <summary>
    /// Trims surrounding whitespace from a key (the trailing line break of a key read from a file or an <c>echo</c>) and
    /// refuses one that an HTTP header cannot carry. Never quotes the key. An empty key gives <see langword="null"/>.
    /// </summary>
    public static string? NormalizeApiKey(string? key, string provider, string setting)
    {
        if (key is null)
        {
            return null;
        }

        string trimmed = key.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        foreach (char c in trimmed)
        {
            if (c is <= ' ' or > '~')
            {
                throw new LlmKitConfigurationException(
                    $"The {provider} API key ({setting}) contains a space, a line break or a character outside printable ASCII inside it; an HTTP header cannot carry it. Copy the key again.",
                    ["LlmKit:Providers:<name>:ApiKey"]);
            }
        }

        return trimmed;
    }

    /// <summary>Refuses an address that is not absolute http or https (an <c>ftp://</c> address fails only at call time otherwise).</summary>
    public static Uri CheckBaseUrl(Uri baseUrl, string provider, string setting)
    {
        if (!baseUrl.IsAbsoluteUri)
        {
            throw new LlmKitConfigurationException(
                $"The {provider} base address ({setting}) must be an absolute http or https address such as https://api.example.com/v1/; it is a relative address.",
                ["LlmKit:Providers:<name>:BaseUrl"]);
        }

        if (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)
        {
            throw new LlmKitConfigurationException(
                $"The {provider} base address ({setting}) must be an http or https address; its scheme is '{baseUrl.Scheme}'.",
                ["LlmKit:Providers:<name>:BaseUrl"]);
        }

        return baseUrl;
    }
}
