using System.Globalization;

namespace LlmKit;

/// <summary>The argument checks, comparison and error messages of experiments and scores, shared by every template store.</summary>
internal static class TemplateExperimentRules
{
    /// <summary>Checks the shape of an experiment before it is stored.</summary>
    public static void CheckExperiment(TemplateExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment.Id);
        StoreRules.CheckIdentifier(experiment.Id, "experiment id", nameof(experiment));
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment.TemplateId);
        StoreRules.CheckIdentifier(experiment.TemplateId, "template id", nameof(experiment));
        if (experiment.Variants is null || experiment.Variants.Count < 2)
        {
            throw new ArgumentException($"Experiment '{experiment.Id}' needs at least two variants.", nameof(experiment));
        }

        for (int i = 0; i < experiment.Variants.Count; i++)
        {
            var variant = experiment.Variants[i] ?? throw new ArgumentException($"Variant {i + 1} of experiment '{experiment.Id}' is null.", nameof(experiment));
            ArgumentException.ThrowIfNullOrWhiteSpace(variant.Name);
            StoreRules.CheckIdentifier(variant.Name, "variant name", nameof(experiment));
            for (int j = 0; j < i; j++)
            {
                if (string.Equals(experiment.Variants[j].Name, variant.Name, StringComparison.Ordinal) || experiment.Variants[j].Version == variant.Version)
                {
                    throw new ArgumentException($"Experiment '{experiment.Id}' names variant '{variant.Name}' or version {variant.Version} twice; each variant needs its own name and version.", nameof(experiment));
                }
            }

            if (!(variant.Weight > 0) || double.IsInfinity(variant.Weight))
            {
                throw new ArgumentException($"Variant '{variant.Name}' of experiment '{experiment.Id}' has weight {variant.Weight}; weights must be positive numbers.", nameof(experiment));
            }
        }
    }

    /// <summary>Checks the arguments of a score report.</summary>
    public static void CheckScore(string templateId, double score, string? experimentId, string? variant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        StoreRules.CheckIdentifier(templateId, "template id", nameof(templateId));
        if (!double.IsFinite(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A score must be a finite number.");
        }

        if (experimentId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
            StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
            ArgumentException.ThrowIfNullOrWhiteSpace(variant);
            StoreRules.CheckIdentifier(variant, "variant name", nameof(variant));
        }
        else if (variant is not null)
        {
            throw new ArgumentException("A variant needs its experiment id.", nameof(variant));
        }
    }

    /// <summary>Returns whether two definitions have the same template and the same variants in the same order.</summary>
    public static bool SameDefinition(TemplateExperiment stored, TemplateExperiment asked)
    {
        if (!string.Equals(stored.TemplateId, asked.TemplateId, StringComparison.Ordinal) || stored.Variants.Count != asked.Variants.Count)
        {
            return false;
        }

        for (int i = 0; i < stored.Variants.Count; i++)
        {
            if (stored.Variants[i] != asked.Variants[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The stored experiment when <paramref name="asked"/> defines it again; throws when it differs or has ended.</summary>
    public static TemplateExperiment Redefined(TemplateExperiment stored, TemplateExperiment asked)
    {
        if (stored.EndedAt is { } ended)
        {
            throw new TemplateExperimentConflictException(stored.Id, string.Create(CultureInfo.InvariantCulture, $"Experiment '{stored.Id}' ended at {ended:O}; experiment ids are not reused. Define the new experiment under a new id."));
        }

        if (!SameDefinition(stored, asked))
        {
            throw new TemplateExperimentConflictException(stored.Id, $"Experiment '{stored.Id}' is already defined with {Describe(stored)}, not {Describe(asked)}. An experiment never changes once defined (its assignments and scores would mix); end it and define a new id.");
        }

        return stored;
    }

    /// <summary>The error for assigning a variant of an ended experiment.</summary>
    public static TemplateExperimentConflictException Ended(TemplateExperiment experiment)
        => new(experiment.Id, string.Create(CultureInfo.InvariantCulture, $"Experiment '{experiment.Id}' ended at {experiment.EndedAt:O} and assigns no more variants. Render the template by label or version, or define a new experiment; the results stay readable."));

    /// <summary>The error for an experiment that is not defined.</summary>
    public static TemplateNotFoundException NotDefined(string experimentId)
        => new($"Experiment '{experimentId}' is not defined. Define it with DefineExperimentAsync first.");

    /// <summary>The error for a score of a variant the experiment does not have.</summary>
    public static TemplateNotFoundException UnknownVariant(string experimentId, string variant)
        => new($"Experiment '{experimentId}' is not defined or has no variant '{variant}'; nothing was recorded. Record scores with the RenderedPrompt the experiment rendered.");

    /// <summary>A copy with the caller's variant list copied and the store's times.</summary>
    public static TemplateExperiment Stored(TemplateExperiment experiment, DateTimeOffset createdAt)
        => experiment with { Variants = [.. experiment.Variants], CreatedAt = createdAt, EndedAt = null };

    private static string Describe(TemplateExperiment experiment)
    {
        var parts = new string[experiment.Variants.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            var v = experiment.Variants[i];
            parts[i] = string.Create(CultureInfo.InvariantCulture, $"{v.Name}=v{v.Version}×{v.Weight}");
        }

        return $"template '{experiment.TemplateId}' and variants [{string.Join(", ", parts)}]";
    }
}
