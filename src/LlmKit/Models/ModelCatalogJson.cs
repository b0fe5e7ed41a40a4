using System.Text.Json.Serialization;

namespace LlmKit;

/// <summary>The shape of the shipped <c>model-catalog.json</c>.</summary>
internal sealed class CatalogFile
{
    public CatalogSource? Source { get; set; }

    public List<CatalogModel> Models { get; set; } = [];
}

/// <summary>The catalog's <c>source</c> object (provenance).</summary>
internal sealed class CatalogSource
{
    public string? Note { get; set; }

    public string? UpstreamRepository { get; set; }

    public string? UpstreamFile { get; set; }

    public string? UpstreamLicense { get; set; }

    public string? TakenFrom { get; set; }

    public string? TakenFromCommit { get; set; }

    public DateTimeOffset? FileCommitDate { get; set; }

    public string? GeneratedBy { get; set; }

    public List<string>? Providers { get; set; }

    public int? EntriesInFile { get; set; }

    public List<string>? Corrections { get; set; }
}

/// <summary>One model of the catalog file.</summary>
internal sealed class CatalogModel
{
    public string Id { get; set; } = string.Empty;

    public string Provider { get; set; } = string.Empty;

    public string? Mode { get; set; }

    public int? ContextWindow { get; set; }

    public int? MaxOutputTokens { get; set; }

    [JsonPropertyName("usd_per_mtok")]
    public Dictionary<string, decimal?>? UsdPerMtok { get; set; }

    public Dictionary<string, bool?>? Capabilities { get; set; }

    public List<Dictionary<string, decimal?>>? LongContextTiers { get; set; }

    /// <summary>Complete prices of other service tiers (<c>flex</c>, <c>priority</c>), keyed by tier name.</summary>
    public Dictionary<string, CatalogTierPrices>? ServiceTiers { get; set; }

    /// <summary>Other names of the model; when absent, the part after the provider prefix of the id is the alias.</summary>
    public List<string>? Aliases { get; set; }

    public DateOnly? DeprecationDate { get; set; }
}

/// <summary>The prices of one service tier of a catalog model, in the same shape as the standard ones.</summary>
internal sealed class CatalogTierPrices
{
    [JsonPropertyName("usd_per_mtok")]
    public Dictionary<string, decimal?>? UsdPerMtok { get; set; }

    public List<Dictionary<string, decimal?>>? LongContextTiers { get; set; }
}

/// <summary>What <see cref="ModelRegistry.Export"/> writes and <see cref="ModelRegistry.Import"/> reads.</summary>
internal sealed class RegistryExport
{
    public int FormatVersion { get; set; } = 1;

    public List<ModelDescriptor> Models { get; set; } = [];
}

/// <summary>Source-generated JSON for the catalog and the registry's export format.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CatalogFile))]
[JsonSerializable(typeof(CatalogSource))]
[JsonSerializable(typeof(CatalogModel))]
[JsonSerializable(typeof(RegistryExport))]
internal sealed partial class ModelCatalogJsonContext : JsonSerializerContext;
