using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmKit;

/// <summary>
/// Reads LiteLLM's model map (<c>model_prices_and_context_window.json</c>: an object of entries keyed by model id, prices
/// in USD per token) into catalog models. The run-time import and the catalog generator (<c>tools/ModelCatalogGenerator</c>)
/// both use it, so a shipped model and an imported one are mapped the same way.
/// </summary>
internal static partial class LiteLlmPriceMap
{
    /// <summary>The entry modes that are models LlmKit prices per token; other entries (images, audio, moderation) are skipped.</summary>
    public static readonly IReadOnlySet<string> ModelModes = new HashSet<string>(["chat", "embedding", "responses", "completion"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The catalog's price keys, in the order they are written.</summary>
    private static readonly string[] PriceOrder = ["input", "output", "cached_input", "cache_write", "cache_write_1h", "reasoning_output", "batch_input", "batch_output"];

    /// <summary>Reads every model entry of a map; throws <see cref="ModelPriceFileException"/> naming the file, entry and field for anything malformed.</summary>
    /// <param name="stream">The JSON.</param>
    /// <param name="sourceName">The file's name, for messages.</param>
    /// <returns>The models (corrections applied, aliases not yet assigned) and the number of entries in the file.</returns>
    public static (List<CatalogModel> Models, int Entries, List<string> Corrections) Read(Stream stream, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ModelPriceFileException(
                string.Create(CultureInfo.InvariantCulture, $"The price file '{sourceName}' is not valid JSON: {ex.Message} Nothing was imported."),
                sourceName,
                null,
                null,
                ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelPriceFileException($"The price file '{sourceName}' is not a LiteLLM price map: its top level must be a JSON object of model entries keyed by model id. Nothing was imported.", sourceName, null, null);
            }

            var models = new List<CatalogModel>();
            var corrections = new List<string>();
            int entries = 0;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // LiteLLM's file documents its own schema in an entry of this name, with descriptions as values.
                if (property.NameEquals("sample_spec"))
                {
                    continue;
                }

                entries++;
                if (ReadEntry(property.Name, property.Value, sourceName) is { } model)
                {
                    if (LiteLlmCorrections.Apply(model, corrections))
                    {
                        models.Add(model);
                    }
                }
            }

            return (models, entries, corrections);
        }
    }

    /// <summary>
    /// Gives each model whose id is <c>provider/name</c> the alias <c>name</c> (what the provider's API calls it) and that
    /// name as its provider model id, unless the name is already an id or alias (of these models or of <paramref name="taken"/>):
    /// an ambiguous alias is left out rather than guessed.
    /// </summary>
    /// <param name="models">The models.</param>
    /// <param name="taken">Whether a name is already an id or alias elsewhere (the registry the models go to).</param>
    public static void AssignAliases(IReadOnlyList<CatalogModel> models, Func<string, string, bool> taken)
    {
        var ids = new HashSet<string>(models.Select(m => m.Id), StringComparer.OrdinalIgnoreCase);
        var candidates = new Dictionary<string, List<CatalogModel>>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in models)
        {
            string? name = ShortName(model);
            if (name is null)
            {
                continue;
            }

            if (!candidates.TryGetValue(name, out var owners))
            {
                candidates[name] = owners = [];
            }

            owners.Add(model);
        }

        foreach (var (name, owners) in candidates)
        {
            if (owners.Count == 1 && !ids.Contains(name) && !taken(name, owners[0].Id))
            {
                owners[0].Aliases = [name];
            }
            else
            {
                foreach (var owner in owners)
                {
                    owner.Aliases = [];
                }
            }
        }

        foreach (var model in models)
        {
            model.Aliases ??= [];
        }
    }

    /// <summary>The name after a <c>provider/</c> prefix that matches the model's provider, or <see langword="null"/>.</summary>
    internal static string? ShortName(CatalogModel model)
    {
        int slash = model.Id.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < model.Id.Length - 1 && string.Equals(model.Id[..slash], model.Provider, StringComparison.OrdinalIgnoreCase)
            ? model.Id[(slash + 1)..]
            : null;
    }

    /// <summary>Maps one entry, or returns <see langword="null"/> for an entry that is not a per-token model (by its mode).</summary>
    internal static CatalogModel? ReadEntry(string id, JsonElement entry, string source)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Fail(source, id, null, "is not a JSON object");
        }

        string? mode = ReadString(entry, "mode", source, id);
        if (mode is null || !ModelModes.Contains(mode))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            throw Fail(source, id, null, "has an empty model id");
        }

        string provider = ReadString(entry, "litellm_provider", source, id) is { Length: > 0 } p ? p
            : throw Fail(source, id, "litellm_provider", "is missing: every model entry names its provider");

        var standard = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        var longContext = new SortedDictionary<long, Dictionary<string, decimal?>>();
        var tiers = new SortedDictionary<string, (Dictionary<string, decimal?> Prices, SortedDictionary<long, Dictionary<string, decimal?>> LongContext)>(StringComparer.Ordinal);
        decimal? cacheHit = null;
        foreach (var field in entry.EnumerateObject())
        {
            var match = PriceKey().Match(field.Name);
            if (!match.Success)
            {
                continue;
            }

            decimal? price = ReadPrice(field, source, id);
            string kind = match.Groups["base"].Value switch
            {
                "input_cost_per_token" => "input",
                "output_cost_per_token" => "output",
                "cache_read_input_token_cost" => "cached_input",
                "cache_creation_input_token_cost" => "cache_write",
                "cache_creation_input_token_cost_above_1hr" => "cache_write_1h",
                "output_cost_per_reasoning_token" => "reasoning_output",
                _ => "cache_hit",
            };
            string? tier = match.Groups["tier"].Success ? match.Groups["tier"].Value : null;
            long? above = match.Groups["k"].Success ? long.Parse(match.Groups["k"].Value, CultureInfo.InvariantCulture) * 1000 : null;
            if (kind == "cache_hit")
            {
                // DeepSeek's name for the cached input price; used only where the usual key is absent.
                cacheHit = tier is null && above is null ? price : cacheHit;
                continue;
            }

            if (tier == "batches")
            {
                if (above is null && kind is "input" or "output")
                {
                    standard["batch_" + kind] = price;
                }

                continue;
            }

            Dictionary<string, decimal?> target;
            SortedDictionary<long, Dictionary<string, decimal?>> targetLongContext = longContext;
            if (tier is null)
            {
                target = standard;
            }
            else
            {
                if (!tiers.TryGetValue(tier, out var tierPrices))
                {
                    tiers[tier] = tierPrices = (new(StringComparer.Ordinal), new());
                }

                target = tierPrices.Prices;
                targetLongContext = tierPrices.LongContext;
            }

            if (above is { } threshold)
            {
                if (!targetLongContext.TryGetValue(threshold, out var tierRates))
                {
                    targetLongContext[threshold] = tierRates = new(StringComparer.Ordinal) { ["above_input_tokens"] = threshold };
                }

                tierRates[kind] = price;
            }
            else
            {
                target[kind] = price;
            }
        }

        if (!standard.ContainsKey("cached_input") && cacheHit is not null)
        {
            standard["cached_input"] = cacheHit;
        }

        return new CatalogModel
        {
            Id = id,
            Provider = provider,
            Mode = mode.ToLowerInvariant(),
            ContextWindow = ReadInt(entry, "max_input_tokens", source, id),
            MaxOutputTokens = ReadInt(entry, "max_output_tokens", source, id),
            UsdPerMtok = standard.Count == 0 ? null : Ordered(standard),
            LongContextTiers = longContext.Count == 0 ? null : [.. longContext.Values],
            ServiceTiers = tiers.Count == 0 ? null : tiers.ToDictionary(
                t => t.Key,
                t => new CatalogTierPrices
                {
                    UsdPerMtok = t.Value.Prices.Count == 0 ? null : Ordered(t.Value.Prices),
                    LongContextTiers = t.Value.LongContext.Count == 0 ? null : [.. t.Value.LongContext.Values],
                },
                StringComparer.Ordinal),
            Capabilities = new Dictionary<string, bool?>(StringComparer.Ordinal)
            {
                ["chat"] = string.Equals(mode, "chat", StringComparison.OrdinalIgnoreCase),
                ["tools"] = ReadBool(entry, "supports_function_calling", source, id) ?? false,
                ["vision"] = ReadBool(entry, "supports_vision", source, id) ?? false,
                ["json_schema"] = ReadBool(entry, "supports_response_schema", source, id) ?? false,
                ["reasoning"] = ReadBool(entry, "supports_reasoning", source, id) ?? false,
                ["prompt_caching"] = ReadBool(entry, "supports_prompt_caching", source, id) ?? false,
                ["streaming"] = ReadBool(entry, "supports_native_streaming", source, id),
            },
            DeprecationDate = ReadDate(entry, "deprecation_date", source, id),
        };
    }

    /// <summary>
    /// A price key: the base cost, an optional long-context threshold (<c>_above_&lt;N&gt;k_tokens</c>) and an optional
    /// service tier (<c>_flex</c>, <c>_priority</c>, <c>_batches</c>). Audio, image and character prices do not match.
    /// </summary>
    [GeneratedRegex(@"^(?<base>input_cost_per_token_cache_hit|input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost_above_1hr|cache_creation_input_token_cost|output_cost_per_reasoning_token)(?:_above_(?<k>[0-9]{1,6})k_tokens)?(?:_(?<tier>flex|priority|batches))?$", RegexOptions.CultureInvariant)]
    private static partial Regex PriceKey();

    private static Dictionary<string, decimal?> Ordered(Dictionary<string, decimal?> prices)
    {
        var ordered = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        foreach (string key in PriceOrder)
        {
            if (prices.TryGetValue(key, out var value))
            {
                ordered[key] = value;
            }
        }

        return ordered;
    }

    /// <summary>USD per token to USD per million tokens, without the binary floating-point noise of the source (rounded to 10^-9 USD per million).</summary>
    private static decimal? ReadPrice(JsonProperty field, string source, string id)
    {
        var value = field.Value;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out decimal perToken))
        {
            throw Fail(source, id, field.Name, $"must be a number (USD per token), not {Describe(value)}");
        }

        if (perToken < 0)
        {
            throw Fail(source, id, field.Name, string.Create(CultureInfo.InvariantCulture, $"must not be negative ({perToken})"));
        }

        return Normalize(Math.Round(perToken * 1_000_000m, 9, MidpointRounding.ToEven));
    }

    /// <summary>Drops trailing zeros (2.500000 becomes 2.5), so the catalog and the breakdowns read as the prices do.</summary>
    internal static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    private static int? ReadInt(JsonElement entry, string name, string source, string id)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || number < 0 || number > int.MaxValue || number != Math.Floor(number))
        {
            throw Fail(source, id, name, $"must be a whole number of tokens, not {Describe(value)}");
        }

        return (int)number;
    }

    private static bool? ReadBool(JsonElement entry, string name, string source, string id)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail(source, id, name, $"must be true or false, not {Describe(value)}"),
        };
    }

    private static string? ReadString(JsonElement entry, string name, string source, string id)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Fail(source, id, name, $"must be a string, not {Describe(value)}");
    }

    private static DateOnly? ReadDate(JsonElement entry, string name, string source, string id)
        => ReadString(entry, name, source, id) is not { } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw Fail(source, id, name, $"must be a date written YYYY-MM-DD, not '{text}'");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => value.GetRawText(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");

    private static ModelPriceFileException Fail(string source, string id, string? field, string problem)
        => new(
            field is null
                ? $"The price file '{source}': entry '{id}' {problem}. Nothing was imported."
                : $"The price file '{source}': field '{field}' of entry '{id}' {problem}. Nothing was imported.",
            source,
            id,
            field);
}
