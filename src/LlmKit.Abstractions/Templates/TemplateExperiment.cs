namespace LlmKit;

/// <summary>
/// An A/B experiment over versions of one template. Callers are assigned to a variant by a key (a user or
/// conversation id): the same key always gets the same variant, in every process, as long as the
/// experiment id and its variants stay the same. The first variant is the control the others are compared to.
/// Definitions are kept by the <see cref="ITemplateStore"/>, so every process and machine sharing a durable store
/// sees the same experiment; an id is defined once and never changes (end it and define a new id instead).
/// </summary>
public sealed record TemplateExperiment
{
    /// <summary>Gets the experiment id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the template the variants are versions of.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the variants, control first; at least two.</summary>
    public required IReadOnlyList<TemplateExperimentVariant> Variants { get; init; }

    /// <summary>Gets when the store defined the experiment; ignored when defining (the store stamps it).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the experiment was ended, or <see langword="null"/> while it runs; ignored when defining. An ended experiment assigns no more variants; its results stay readable.</summary>
    public DateTimeOffset? EndedAt { get; init; }
}
