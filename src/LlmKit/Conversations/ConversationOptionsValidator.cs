using System.Globalization;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>Validates <see cref="LlmKitOptions.Conversations"/> at start-up, naming each bad key.</summary>
internal sealed class ConversationOptionsValidator : IValidateOptions<LlmKitOptions>
{
    private const string Key = "LlmKit:Conversations";

    public ValidateOptionsResult Validate(string? name, LlmKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var keys = new List<string>();
        void Problem(string key, string message)
        {
            keys.Add(key);
            problems.Add($"'{key}': {message}");
        }

        var o = options.Conversations;
        if (o is null)
        {
            Problem(Key, "is empty; remove the section or set its values.");
        }
        else
        {
            if (!Enum.IsDefined(o.ContextStrategy))
            {
                Problem(Key + ":ContextStrategy", $"'{o.ContextStrategy}' is not a context strategy. Known: {string.Join(", ", Enum.GetNames<ConversationContextStrategy>())}.");
            }

            if (o.SummaryTriggerTokens is <= 0)
            {
                Problem(Key + ":SummaryTriggerTokens", "must be positive when set.");
            }

            if (o.SummaryTriggerRatio is <= 0 or > 1 || double.IsNaN(o.SummaryTriggerRatio))
            {
                Problem(Key + ":SummaryTriggerRatio", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0 and at most 1 (a share of the prompt budget); it is {o.SummaryTriggerRatio}."));
            }

            if (o.SummaryTargetRatio is <= 0 or >= 1 || double.IsNaN(o.SummaryTargetRatio))
            {
                Problem(Key + ":SummaryTargetRatio", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0 and below 1 (a share of the trigger size); it is {o.SummaryTargetRatio}."));
            }

            if (o.SummaryMaxTokens <= 0)
            {
                Problem(Key + ":SummaryMaxTokens", "must be positive.");
            }

            if (o.DefaultReservedOutputTokens is <= 0)
            {
                Problem(Key + ":DefaultReservedOutputTokens", "must be positive when set.");
            }

            if (o.DefaultContextWindow is <= 0)
            {
                Problem(Key + ":DefaultContextWindow", "must be positive when set.");
            }

            if (o.SummarizerModel is { } model && string.IsNullOrWhiteSpace(model))
            {
                Problem(Key + ":SummarizerModel", "is blank; name a model or remove the key.");
            }

            if (o.Memory is null)
            {
                Problem(Key + ":Memory", "is empty; remove the section or set its values.");
            }
            else
            {
                if (o.Memory.MaxFacts is < 1 or > 1000)
                {
                    Problem(Key + ":Memory:MaxFacts", string.Create(CultureInfo.InvariantCulture, $"must be between 1 and 1000; it is {o.Memory.MaxFacts}."));
                }

                if (o.Memory.RecallMessages is < 0 or > 100)
                {
                    Problem(Key + ":Memory:RecallMessages", string.Create(CultureInfo.InvariantCulture, $"must be between 0 (off) and 100; it is {o.Memory.RecallMessages}."));
                }

                if (o.Memory.ExtractionModel is { } extraction && string.IsNullOrWhiteSpace(extraction))
                {
                    Problem(Key + ":Memory:ExtractionModel", "is blank; name a model or remove the key.");
                }
            }
        }

        if (problems.Count > 0)
        {
            // Thrown rather than returned so that hosts see a LlmKit exception at start-up, as LlmKitOptionsValidator does.
            throw new LlmKitConfigurationException("LlmKit conversation settings are invalid: " + string.Join(" ", problems), keys);
        }

        return ValidateOptionsResult.Success;
    }
}
