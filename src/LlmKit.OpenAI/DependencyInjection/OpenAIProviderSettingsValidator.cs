using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates a connection's <see cref="OpenAIProviderSettings"/> when they are first read (at host start-up, where every
/// connection is created), throwing a <see cref="LlmKitConfigurationException"/> that names each bad key.
/// </summary>
internal sealed class OpenAIProviderSettingsValidator : IValidateOptions<OpenAIProviderSettings>
{
    public ValidateOptionsResult Validate(string? name, OpenAIProviderSettings options)
    {
        var problems = new SettingsProblems(name);
        if (string.IsNullOrWhiteSpace(options.ApiVersion))
        {
            problems.Add(nameof(options.ApiVersion), "is empty; leave it out for 2024-10-21 or set the Azure OpenAI api-version to send.");
        }
        else if (!SettingsProblems.IsHeaderSafe(options.ApiVersion))
        {
            problems.Add(nameof(options.ApiVersion), "holds a space or a control character; an api-version such as 2024-10-21 has none.");
        }

        if (options.Organization is { } organization && !SettingsProblems.IsHeaderSafe(organization))
        {
            problems.Add(nameof(options.Organization), "holds a space, a line break or a character outside printable ASCII; the OpenAI-Organization header cannot carry it.");
        }

        if (options.Project is { } project && !SettingsProblems.IsHeaderSafe(project))
        {
            problems.Add(nameof(options.Project), "holds a space, a line break or a character outside printable ASCII; the OpenAI-Project header cannot carry it.");
        }

        return problems.ThrowIfAny();
    }
}
