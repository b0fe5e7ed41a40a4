using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmKit.Http;

/// <summary>
/// Refuses <see cref="ChatOptions"/> numbers that no wire format can carry (NaN, infinities) before a request is written,
/// with an <see cref="ArgumentException"/> naming the option, instead of the JSON writer's message that names none.
/// </summary>
internal static class ChatOptionsChecks
{
    public static void EnsureFinite(ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }

        Check(options.Temperature, nameof(ChatOptions.Temperature), options);
        Check(options.TopP, nameof(ChatOptions.TopP), options);
        Check(options.FrequencyPenalty, nameof(ChatOptions.FrequencyPenalty), options);
        Check(options.PresencePenalty, nameof(ChatOptions.PresencePenalty), options);
    }

    private static void Check(float? value, string name, ChatOptions options)
    {
        if (value is { } v && !float.IsFinite(v))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"ChatOptions.{name} is {v}; it must be a finite number (or null for the provider's default)."),
                nameof(options));
        }
    }
}
