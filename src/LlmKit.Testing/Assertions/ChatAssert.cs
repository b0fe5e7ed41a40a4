using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit.Testing;

/// <summary>
/// Assertions on the calls recorded by a <see cref="RecordingChatClient"/>, usable from any test framework.
/// </summary>
/// <remarks>
/// A failed assertion throws a <see cref="ChatAssertionException"/> whose message shows what was expected
/// and what was recorded. The <c>Sent...</c> assertions pass when at least one recorded call matches, and
/// return the first matching call for further checks.
/// </remarks>
public static class ChatAssert
{
    private const int MaxShownCharacters = 200;

    /// <summary>Asserts that no call was recorded.</summary>
    /// <param name="recording">The recording client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatAssertionException">At least one call was recorded.</exception>
    public static void NoCalls(RecordingChatClient recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        IReadOnlyList<RecordedChatRequest> requests = recording.Requests;
        if (requests.Count != 0)
        {
            throw Fail($"Expected no chat calls, but {Calls(requests.Count)} recorded.", requests, DescribeLastUser);
        }
    }

    /// <summary>Asserts that exactly <paramref name="expected"/> calls were recorded.</summary>
    /// <param name="recording">The recording client.</param>
    /// <param name="expected">The expected number of calls.</param>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expected"/> is negative.</exception>
    /// <exception cref="ChatAssertionException">A different number of calls was recorded.</exception>
    public static void CallCount(RecordingChatClient recording, int expected)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentOutOfRangeException.ThrowIfNegative(expected);
        IReadOnlyList<RecordedChatRequest> requests = recording.Requests;
        if (requests.Count != expected)
        {
            throw Fail($"Expected {Calls(expected)}, but {Calls(requests.Count)} recorded.", requests, DescribeLastUser);
        }
    }

    /// <summary>Asserts that at least one call sent a user message containing <paramref name="containing"/>.</summary>
    /// <param name="recording">The recording client.</param>
    /// <param name="containing">The text the user message must contain.</param>
    /// <param name="comparison">How to compare the text; defaults to <see cref="StringComparison.Ordinal"/>.</param>
    /// <returns>The first call that matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> or <paramref name="containing"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatAssertionException">No call matched.</exception>
    public static RecordedChatRequest SentUserMessage(RecordingChatClient recording, string containing, StringComparison comparison = StringComparison.Ordinal)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(containing);
        return Single(
            recording,
            r => r.Messages.Any(m => m.Role == ChatRole.User && m.Text.Contains(containing, comparison)),
            $"Expected a call with a user message containing {Quote(containing)}",
            r => Join(r.Messages.Where(m => m.Role == ChatRole.User).Select(m => Quote(m.Text)), "no user message"));
    }

    /// <summary>
    /// Asserts that at least one call sent a system message, or <see cref="ChatOptions.Instructions"/>,
    /// containing <paramref name="containing"/>.
    /// </summary>
    /// <param name="recording">The recording client.</param>
    /// <param name="containing">The text the system message must contain.</param>
    /// <param name="comparison">How to compare the text; defaults to <see cref="StringComparison.Ordinal"/>.</param>
    /// <returns>The first call that matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> or <paramref name="containing"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatAssertionException">No call matched.</exception>
    public static RecordedChatRequest SentSystemMessage(RecordingChatClient recording, string containing, StringComparison comparison = StringComparison.Ordinal)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(containing);
        return Single(
            recording,
            r => SystemTexts(r).Any(t => t.Contains(containing, comparison)),
            $"Expected a call with a system message (or instructions) containing {Quote(containing)}",
            r => Join(SystemTexts(r).Select(Quote), "no system message"));
    }

    /// <summary>Asserts that at least one call asked for model <paramref name="modelId"/> through <see cref="ChatOptions.ModelId"/>.</summary>
    /// <param name="recording">The recording client.</param>
    /// <param name="modelId">The expected model id, compared ordinally.</param>
    /// <returns>The first call that matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> or <paramref name="modelId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatAssertionException">No call matched.</exception>
    public static RecordedChatRequest SentModel(RecordingChatClient recording, string modelId)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(modelId);
        return Single(
            recording,
            r => string.Equals(r.ModelId, modelId, StringComparison.Ordinal),
            $"Expected a call to model {Quote(modelId)}",
            r => r.ModelId is null ? "no model id" : Quote(r.ModelId));
    }

    /// <summary>
    /// Asserts that at least one call sent options whose value selected by <paramref name="selector"/>
    /// equals <paramref name="expected"/> (by <see cref="EqualityComparer{T}.Default"/>).
    /// </summary>
    /// <typeparam name="T">The type of the option's value.</typeparam>
    /// <param name="recording">The recording client.</param>
    /// <param name="selector">Selects the value from the options, such as <c>o =&gt; o.Temperature</c>.</param>
    /// <param name="expected">The expected value.</param>
    /// <param name="selectorExpression">The selector's source text, filled in by the compiler for the failure message; leave it out.</param>
    /// <returns>The first call that matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatAssertionException">No call matched; calls without options never match.</exception>
    public static RecordedChatRequest SentOption<T>(
        RecordingChatClient recording,
        Func<ChatOptions, T> selector,
        T expected,
        [CallerArgumentExpression(nameof(selector))] string? selectorExpression = null)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(selector);
        return Single(
            recording,
            r => r.Options is { } o && EqualityComparer<T>.Default.Equals(selector(o), expected),
            $"Expected a call whose option {selectorExpression ?? "value"} is {Format(expected)}",
            r => r.Options is { } o ? Format(selector(o)) : "no options");
    }

    /// <summary>Asserts that at least one call offered a tool named <paramref name="name"/> in <see cref="ChatOptions.Tools"/>.</summary>
    /// <param name="recording">The recording client.</param>
    /// <param name="name">The tool name, compared ordinally.</param>
    /// <returns>The first call that matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recording"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ChatAssertionException">No call matched.</exception>
    public static RecordedChatRequest SentTool(RecordingChatClient recording, string name)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(name);
        return Single(
            recording,
            r => r.Options?.Tools?.Any(t => string.Equals(t.Name, name, StringComparison.Ordinal)) == true,
            $"Expected a call offering the tool {Quote(name)}",
            r => Join(r.Options?.Tools?.Select(t => Quote(t.Name)) ?? [], "no tools"));
    }

    private static RecordedChatRequest Single(
        RecordingChatClient recording,
        Func<RecordedChatRequest, bool> predicate,
        string expectation,
        Func<RecordedChatRequest, string> describe)
    {
        IReadOnlyList<RecordedChatRequest> requests = recording.Requests;
        foreach (RecordedChatRequest request in requests)
        {
            if (predicate(request))
            {
                return request;
            }
        }

        string summary = requests.Count == 0
            ? $"{expectation}, but no chat calls were recorded."
            : $"{expectation}, but none of the {Calls(requests.Count)} recorded matched.";
        throw Fail(summary, requests, describe);
    }

    private static ChatAssertionException Fail(string summary, IReadOnlyList<RecordedChatRequest> requests, Func<RecordedChatRequest, string> describe)
    {
        var message = new StringBuilder(summary);
        if (requests.Count > 0)
        {
            _ = message.AppendLine().Append("Recorded:");
            foreach (RecordedChatRequest request in requests)
            {
                _ = message.AppendLine().Append(CultureInfo.InvariantCulture, $"  call #{request.Sequence}: {describe(request)}");
            }
        }

        return new ChatAssertionException(message.ToString());
    }

    private static string DescribeLastUser(RecordedChatRequest request)
        => request.LastUserText is { } text ? "last user message " + Quote(text) : "no user message";

    private static IEnumerable<string> SystemTexts(RecordedChatRequest request)
    {
        if (request.Options?.Instructions is { } instructions)
        {
            yield return instructions;
        }

        foreach (ChatMessage message in request.Messages)
        {
            if (message.Role == ChatRole.System)
            {
                yield return message.Text;
            }
        }
    }

    private static string Calls(int count) => count == 1 ? "1 call" : string.Create(CultureInfo.InvariantCulture, $"{count} calls");

    private static string Join(IEnumerable<string> items, string whenEmpty)
    {
        string joined = string.Join(", ", items);
        return joined.Length == 0 ? whenEmpty : joined;
    }

    private static string Quote(string text)
        => "\"" + (text.Length <= MaxShownCharacters ? text : text[..MaxShownCharacters] + "...") + "\"";

    private static string Format<T>(T value) => value switch
    {
        null => "null",
        string s => Quote(s),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
