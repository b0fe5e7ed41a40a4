using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Per-call settings of structured output on <see cref="ChatOptions"/>, and how a response says what the stage did.</summary>
public static class StructuredOutputChatOptionsExtensions
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key of the per-call repair rounds (an <see cref="int"/>); never sent to a provider.</summary>
    public const string RepairRoundsKey = "llmkit.structured_output.repair_rounds";

    /// <summary>Sets the repair rounds of this call, overriding <see cref="StructuredOutputOptions.RepairRounds"/>.</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="rounds">The repair rounds, 0 or more.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rounds"/> is negative.</exception>
    public static ChatOptions WithRepairRounds(this ChatOptions options, int rounds)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(rounds);
        (options.AdditionalProperties ??= [])[RepairRoundsKey] = rounds;
        return options;
    }

    /// <summary>Returns what the structured-output stage did for a response: the path taken and the repair rounds.</summary>
    /// <param name="response">A response from LlmKit's pipeline.</param>
    /// <returns>The info, or <see langword="null"/> when the request had no JSON Schema response format.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static StructuredOutputInfo? GetStructuredOutputInfo(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(StructuredOutputInfo.PropertyKey, out object? value) == true ? value as StructuredOutputInfo : null;
    }
}
