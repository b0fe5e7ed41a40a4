using System.Globalization;
using System.Text.Json;

namespace LlmKit;

/// <summary>Computes the structured difference between two template versions.</summary>
internal static class TemplateDiffer
{
    public static TemplateDiff Diff(PromptTemplate from, PromptTemplate to)
    {
        var changes = new List<TemplateChange>();
        int count = Math.Max(from.Messages.Count, to.Messages.Count);
        for (int i = 0; i < count; i++)
        {
            string path = $"messages[{i}]";
            var a = i < from.Messages.Count ? from.Messages[i] : null;
            var b = i < to.Messages.Count ? to.Messages[i] : null;
            if (a is null)
            {
                changes.Add(new(path, TemplateChangeKind.Added, null, $"{b!.Role.Value}: {b.Template}"));
            }
            else if (b is null)
            {
                changes.Add(new(path, TemplateChangeKind.Removed, $"{a.Role.Value}: {a.Template}", null));
            }
            else
            {
                Compare(changes, path + ".role", a.Role.Value, b.Role.Value);
                Compare(changes, path + ".template", a.Template, b.Template);
            }
        }

        foreach (var input in from.Inputs)
        {
            var other = to.Inputs.FirstOrDefault(i => i.Name == input.Name);
            string path = $"inputs.{input.Name}";
            if (other is null)
            {
                changes.Add(new(path, TemplateChangeKind.Removed, Describe(input), null));
                continue;
            }

            Compare(changes, path + ".type", input.Type.ToString().ToLowerInvariant(), other.Type.ToString().ToLowerInvariant());
            Compare(changes, path + ".description", input.Description, other.Description);
            Compare(changes, path + ".required", input.IsRequired ? "true" : "false", other.IsRequired ? "true" : "false");
            Compare(changes, path + ".default", input.Default?.GetRawText(), other.Default?.GetRawText());
            Compare(changes, path + ".allowedValues", Join(input.AllowedValues), Join(other.AllowedValues));
            Compare(changes, path + ".jsonSchema", input.JsonSchema?.GetRawText(), other.JsonSchema?.GetRawText());
        }

        foreach (var input in to.Inputs.Where(i => from.Inputs.All(f => f.Name != i.Name)))
        {
            changes.Add(new($"inputs.{input.Name}", TemplateChangeKind.Added, null, Describe(input)));
        }

        var ha = from.ModelHints ?? new TemplateModelHints();
        var hb = to.ModelHints ?? new TemplateModelHints();
        Compare(changes, "modelHints.model", ha.Model, hb.Model);
        Compare(changes, "modelHints.temperature", Text(ha.Temperature), Text(hb.Temperature));
        Compare(changes, "modelHints.topP", Text(ha.TopP), Text(hb.TopP));
        Compare(changes, "modelHints.maxOutputTokens", Text(ha.MaxOutputTokens), Text(hb.MaxOutputTokens));
        Compare(changes, "modelHints.responseFormat", ha.ResponseFormat, hb.ResponseFormat);
        Compare(changes, "modelHints.stopSequences", Join(ha.StopSequences), Join(hb.StopSequences));
        Compare(changes, "modelHints.frequencyPenalty", Text(ha.FrequencyPenalty), Text(hb.FrequencyPenalty));
        Compare(changes, "modelHints.presencePenalty", Text(ha.PresencePenalty), Text(hb.PresencePenalty));
        Compare(changes, "modelHints.seed", Text(ha.Seed), Text(hb.Seed));
        CompareMaps(changes, "modelHints.additionalProperties", ha.AdditionalProperties.ToDictionary(p => p.Key, p => Json(p.Value)), hb.AdditionalProperties.ToDictionary(p => p.Key, p => Json(p.Value)));
        CompareSets(changes, "tools", from.Tools, to.Tools);
        CompareSets(changes, "tags", from.Tags, to.Tags);
        CompareMaps(changes, "metadata", from.Metadata.ToDictionary(p => p.Key, p => (string?)p.Value), to.Metadata.ToDictionary(p => p.Key, p => (string?)p.Value));
        Compare(changes, "name", from.Name, to.Name);
        Compare(changes, "description", from.Description, to.Description);
        return new TemplateDiff { TemplateId = to.Id, FromVersion = from.Version, ToVersion = to.Version, Changes = changes };
    }

    private static void Compare(List<TemplateChange> changes, string path, string? a, string? b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return;
        }

        changes.Add(new(path, a is null ? TemplateChangeKind.Added : b is null ? TemplateChangeKind.Removed : TemplateChangeKind.Modified, a, b));
    }

    private static void CompareSets(List<TemplateChange> changes, string path, IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        foreach (string removed in a.Except(b, StringComparer.Ordinal))
        {
            changes.Add(new($"{path}.{removed}", TemplateChangeKind.Removed, removed, null));
        }

        foreach (string added in b.Except(a, StringComparer.Ordinal))
        {
            changes.Add(new($"{path}.{added}", TemplateChangeKind.Added, null, added));
        }
    }

    private static void CompareMaps(List<TemplateChange> changes, string path, Dictionary<string, string?> a, Dictionary<string, string?> b)
    {
        foreach (string key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            Compare(changes, $"{path}.{key}", a.GetValueOrDefault(key), b.GetValueOrDefault(key));
        }
    }

    private static string Describe(TemplateInput input)
        => $"{input.Type.ToString().ToLowerInvariant()}{(input.IsRequired ? ", required" : string.Empty)}{(input.Description is { } d ? ": " + d : string.Empty)}";

    private static string? Join(IReadOnlyList<string> values) => values.Count == 0 ? null : string.Join(", ", values);

    private static string? Text<T>(T? value)
        where T : struct, IFormattable
        => value?.ToString(null, CultureInfo.InvariantCulture);

    private static string? Json(object? value) => value switch
    {
        null => null,
        JsonElement element => element.GetRawText(),
        string s => s,
        _ => JsonSerializer.Serialize(value, value.GetType()),
    };
}
