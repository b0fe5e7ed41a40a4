using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>A grounded answer: the model's text, the sources it was given and the ones it cited.</summary>
public sealed record KnowledgeAnswer
{
    /// <summary>Gets the answer's text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the sources the answer cites (<c>[1]</c>, <c>[2, 3]</c>), in order of first citation; numbers that name no source are left out.</summary>
    public required IReadOnlyList<KnowledgeCitation> Citations { get; init; }

    /// <summary>Gets every numbered source the model was given, in prompt order.</summary>
    public required IReadOnlyList<KnowledgeCitation> Sources { get; init; }

    /// <summary>Gets a value indicating whether the answer cites no source: it is not grounded (or says the sources do not hold the answer).</summary>
    public bool CitesNothing => Citations.Count == 0;

    /// <summary>Gets the model's response (usage, model id, finish reason); <see langword="null"/> for a streamed answer.</summary>
    public ChatResponse? Response { get; init; }

    /// <summary>Gets the usage reported by the model; <see langword="null"/> when not reported.</summary>
    public UsageDetails? Usage { get; init; }
}
