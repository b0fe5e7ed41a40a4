using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit.Testing;

/// <summary>
/// A deterministic offline stand-in for a model, for samples, demos and first runs without an API key:
/// it answers with a short, friendly reply that quotes the last user message and says it is the
/// offline model.
/// </summary>
/// <remarks>
/// <para>
/// The same messages always give the same text, streamed or not; streaming delivers it word by word,
/// then a final update with the usage. Usage is estimated at about four characters per token (at
/// least one token for input and output). Responses report model <see cref="ModelId"/>, finish reason
/// <see cref="ChatFinishReason.Stop"/>, and the client's metadata reports provider <see cref="ProviderName"/>.
/// Tools and response formats in the options are ignored. Thread-safe.
/// </para>
/// </remarks>
public sealed class OfflineChatClient : IChatClient
{
    /// <summary>The model id reported by every response: <c>llmkit-offline</c>.</summary>
    public const string ModelId = "llmkit-offline";

    /// <summary>The provider name reported by the client's <see cref="ChatClientMetadata"/>: <c>offline</c>.</summary>
    public const string ProviderName = "offline";

    private const int MaxQuotedCharacters = 120;

    private static readonly string[] Reactions =
    [
        "Thanks for sharing that.",
        "Interesting, tell me more!",
        "Noted, I read every word of it.",
    ];

    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _delayPerWord;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The clock for <see cref="ChatResponse.CreatedAt"/> and streaming delays; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="delayPerWord">How long to wait before each streamed word, for a typing effect in demos; defaults to no delay.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delayPerWord"/> is negative.</exception>
    public OfflineChatClient(TimeProvider? timeProvider = null, TimeSpan? delayPerWord = null)
    {
        TimeSpan delay = delayPerWord ?? TimeSpan.Zero;
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(delayPerWord));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _delayPerWord = delay;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        Answer answer = Compose(messages);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, answer.Text) { MessageId = answer.ResponseId + "-0" })
        {
            ResponseId = answer.ResponseId,
            ModelId = ModelId,
            CreatedAt = _timeProvider.GetUtcNow(),
            FinishReason = ChatFinishReason.Stop,
            Usage = answer.Usage,
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, cancellationToken);
    }

    /// <summary>
    /// Returns this client for <see cref="OfflineChatClient"/> (or a type it implements), and a
    /// <see cref="ChatClientMetadata"/> with provider <see cref="ProviderName"/> and model <see cref="ModelId"/>;
    /// otherwise, or when <paramref name="serviceKey"/> is set, <see langword="null"/>.
    /// </summary>
    /// <param name="serviceType">The type of service asked for.</param>
    /// <param name="serviceKey">The key of the service; only unkeyed services are offered.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata(ProviderName, providerUri: null, ModelId);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the client holds no resources.</summary>
    public void Dispose()
    {
    }

    private static Answer Compose(IEnumerable<ChatMessage> messages)
    {
        int inputCharacters = 0;
        string? lastUser = null;
        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            string text = message.Text;
            inputCharacters += text.Length;
            if (message.Role == ChatRole.User)
            {
                lastUser = text;
            }
        }

        string reply = Reply(lastUser);
        var usage = new UsageDetails
        {
            InputTokenCount = TextChunks.EstimateTokens(inputCharacters),
            OutputTokenCount = TextChunks.EstimateTokens(reply.Length),
        };
        usage.TotalTokenCount = usage.InputTokenCount + usage.OutputTokenCount;
        string responseId = string.Create(CultureInfo.InvariantCulture, $"offline-{Fnv1a(reply):x16}");
        return new Answer(reply, usage, responseId);
    }

    private static string Reply(string? userText)
    {
        string collapsed = string.Join(' ', (userText ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (collapsed.Length == 0)
        {
            return "Hello! I'm the LlmKit offline model, a stand-in that runs without an API key. Send me a message and I'll reply. Configure a provider API key to talk to a real model.";
        }

        int words = collapsed.Count(c => c == ' ') + 1;
        string quote = collapsed.Length <= MaxQuotedCharacters ? collapsed : collapsed[..MaxQuotedCharacters].TrimEnd() + "...";
        string reaction;
        if (collapsed.EndsWith('?'))
        {
            reaction = "Good question! I can't really answer it offline, but a real model can.";
        }
        else if (IsGreeting(collapsed))
        {
            reaction = "Hello to you too, nice to meet you!";
        }
        else
        {
            reaction = Reactions[(int)(Fnv1a(collapsed) % (ulong)Reactions.Length)];
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"You said: \"{quote}\" ({words} {(words == 1 ? "word" : "words")}). {reaction} I'm the LlmKit offline model, so this reply was made on your machine without calling an LLM. Configure a provider API key to talk to a real model.");
    }

    private static bool IsGreeting(string text)
    {
        string first = text.Split(' ', 2)[0].TrimEnd('!', '.', ',');
        return first.Equals("hi", StringComparison.OrdinalIgnoreCase)
            || first.Equals("hello", StringComparison.OrdinalIgnoreCase)
            || first.Equals("hey", StringComparison.OrdinalIgnoreCase);
    }

    private static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Answer answer = Compose(messages);
        DateTimeOffset createdAt = _timeProvider.GetUtcNow();
        string messageId = answer.ResponseId + "-0";
        List<string> words = TextChunks.SplitWords(answer.Text);
        for (int i = 0; i < words.Count; i++)
        {
            if (_delayPerWord > TimeSpan.Zero)
            {
                await Task.Delay(_delayPerWord, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, words[i])
            {
                ResponseId = answer.ResponseId,
                MessageId = messageId,
                ModelId = ModelId,
                CreatedAt = createdAt,
                FinishReason = i == words.Count - 1 ? ChatFinishReason.Stop : null,
            };
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(answer.Usage)])
        {
            ResponseId = answer.ResponseId,
            MessageId = messageId,
            ModelId = ModelId,
            CreatedAt = createdAt,
        };
    }

    private sealed record Answer(string Text, UsageDetails Usage, string ResponseId);
}
