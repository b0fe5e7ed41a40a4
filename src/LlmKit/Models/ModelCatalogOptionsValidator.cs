using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates <see cref="LlmKitOptions.ModelCatalog"/> at start-up: a price file that is named must exist. Its content is
/// read when the registry is first created, where a malformed entry fails with a <see cref="ModelPriceFileException"/>.
/// </summary>
internal sealed class ModelCatalogOptionsValidator : IValidateOptions<LlmKitOptions>
{
    private const string Key = "LlmKit:ModelCatalog";

    public ValidateOptionsResult Validate(string? name, LlmKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ModelCatalog is null)
        {
            throw new LlmKitConfigurationException($"'{Key}' is empty; remove the section or set its values.", [Key]);
        }

        if (options.ModelCatalog.PriceFile is { } file)
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                throw new LlmKitConfigurationException($"'{Key}:PriceFile' is empty; name a LiteLLM-format price file or remove the setting.", [Key + ":PriceFile"]);
            }

            string path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new LlmKitConfigurationException($"'{Key}:PriceFile': the price file '{path}' does not exist.", [Key + ":PriceFile"]);
            }
        }

        return ValidateOptionsResult.Success;
    }
}
