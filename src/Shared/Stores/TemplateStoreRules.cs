using System.Text.Json;

namespace LlmKit;

/// <summary>Checks, the JSON body and label handling shared by the durable template stores.</summary>
internal static class TemplateStoreRules
{
    /// <summary>The label a store moves to each new version.</summary>
    public const string LatestLabel = "latest";

    /// <summary>Checks a template before it is saved.</summary>
    public static void CheckTemplate(PromptTemplate promptTemplate)
    {
        ArgumentNullException.ThrowIfNull(promptTemplate);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptTemplate.Id);
        StoreRules.CheckIdentifier(promptTemplate.Id, "template id", nameof(promptTemplate));
        if (promptTemplate.Messages is null || promptTemplate.Messages.Count == 0)
        {
            throw new ArgumentException($"Template '{promptTemplate.Id}' has no messages; give it at least one message.", nameof(promptTemplate));
        }
    }

    /// <summary>Checks a label that can be moved by hand: not empty, no blank space, not <c>latest</c>.</summary>
    public static void CheckLabel(string label)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        StoreRules.CheckIdentifier(label, "label", nameof(label));
        if (string.Equals(label, LatestLabel, StringComparison.Ordinal))
        {
            throw new ArgumentException("The 'latest' label always points at the newest version; save a new version to move it.", nameof(label));
        }

        foreach (char c in label)
        {
            if (char.IsWhiteSpace(c))
            {
                throw new ArgumentException($"Label '{label}' contains blank space; use letters, digits, '-', '_' or '.'.", nameof(label));
            }
        }
    }

    /// <summary>The JSON body of a version (labels, version and time are kept in their own columns).</summary>
    public static string Serialize(PromptTemplate promptTemplate)
        => JsonSerializer.Serialize(promptTemplate with { Labels = [], Version = 0, CreatedAt = default }, StoreJsonContext.Default.PromptTemplate);

    /// <summary>Reads a stored body back and stamps it with its version, time and labels.</summary>
    public static PromptTemplate Deserialize(string body, int version, long createdAtTicks, IReadOnlyList<string> labels)
    {
        var template = JsonSerializer.Deserialize(body, StoreJsonContext.Default.PromptTemplate)
            ?? throw new StoreUnavailableException("A stored prompt template is empty; the database is corrupt.");
        return template with { Version = version, CreatedAt = new DateTimeOffset(createdAtTicks, TimeSpan.Zero), Labels = labels };
    }

    /// <summary>The labels of <paramref name="version"/> among (label, version) pairs, sorted ordinally.</summary>
    public static IReadOnlyList<string> LabelsOf(List<(string Label, int Version)> labels, int version)
    {
        List<string>? result = null;
        foreach (var (label, labelled) in labels)
        {
            if (labelled == version)
            {
                (result ??= []).Add(label);
            }
        }

        result?.Sort(StringComparer.Ordinal);
        return result ?? (IReadOnlyList<string>)[];
    }
}
