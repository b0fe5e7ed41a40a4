namespace LlmKit;

internal sealed partial class LlmKitOptionsValidator
{
    private static void ValidateProviders(LlmKitOptions options, HashSet<string> codeProviders, HashSet<string> typeNames, Action<string, string> problem)
    {
        foreach (var (providerName, settings) in options.Providers)
        {
            string key = $"LlmKit:Providers:{providerName}";
            if (codeProviders.Contains(providerName))
            {
                problem(key, $"a provider connection named '{providerName}' is also registered in code (kit.AddProvider(), kit.AddOpenAI(), kit.AddOllama()...). A connection is defined in one place: remove this section or the code registration, or give them different names.");
            }

            if (settings is null)
            {
                problem(key, "the connection is empty; set at least its 'Type'.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(settings.Type))
            {
                problem(key + ":Type", $"is required. Known provider types: {Known(typeNames)}.");
            }
            else if (!typeNames.Contains(settings.Type))
            {
                problem(key + ":Type", $"'{settings.Type}' is not a registered provider type. Known provider types: {Known(typeNames)}. Reference the provider package and call its registration (for example kit.AddOpenAI()).");
            }

            ValidateConnection(key, settings, problem);
        }
    }

    /// <summary>Checks a connection's address, key and headers without ever quoting a secret.</summary>
    internal static void ValidateConnection(string key, ProviderConnectionSettings settings, Action<string, string> problem)
    {
        if (settings.BaseUrl is { } url)
        {
            if (!url.IsAbsoluteUri)
            {
                problem(key + ":BaseUrl", "must be an absolute http or https address (such as https://api.example.com/v1/); it is a relative address.");
            }
            else if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            {
                problem(key + ":BaseUrl", $"must be an http or https address; its scheme is '{url.Scheme}'.");
            }
        }

        if (settings.ApiKey is { } apiKey && HasInvalidHeaderCharacter(apiKey.Trim()))
        {
            problem(key + ":ApiKey", "contains a space, a line break or a character outside printable ASCII inside the key; an HTTP header cannot carry it. Copy the key again (surrounding whitespace is trimmed).");
        }

        foreach (var (header, value) in settings.Headers)
        {
            if (string.IsNullOrWhiteSpace(header) || HasInvalidHeaderCharacter(header))
            {
                problem(key + ":Headers", "a header name is empty or holds a space or control character.");
            }
            else if (value is not null && value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                problem($"{key}:Headers:{header}", "contains a line break; an HTTP header value cannot carry it.");
            }
        }
    }

    private static bool HasInvalidHeaderCharacter(string value)
    {
        foreach (char c in value)
        {
            if (c is <= ' ' or > '~')
            {
                return true;
            }
        }

        return false;
    }
}
