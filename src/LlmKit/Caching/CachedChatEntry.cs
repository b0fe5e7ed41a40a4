using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// One stored answer: a response, or the chunks of a streamed one, with when it was stored, when it expires (by the
/// pipeline's <see cref="TimeProvider"/>, so expiry follows a fake clock in tests), who served it and what it cost.
/// Immutable, so <c>HybridCache</c> keeps the instance in memory instead of deserializing it on every hit; every hit hands
/// out copies of its messages and chunks.
/// </summary>
[ImmutableObject(true)]
internal sealed class CachedChatEntry
{
    public CachedChatEntry(ChatResponse? response, IReadOnlyList<ChatResponseUpdate>? updates, DateTimeOffset createdAt, DateTimeOffset expiresAt, string? provider, string? deployment, string? responseModel, decimal? costUsd)
    {
        Response = response;
        Updates = updates;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        Provider = provider;
        Deployment = deployment;
        ResponseModel = responseModel;
        CostUsd = costUsd;
    }

    /// <summary>Gets the stored response of a non-streaming call, or <see langword="null"/> for a stream.</summary>
    public ChatResponse? Response { get; }

    /// <summary>Gets the stored chunks of a streaming call, in order (usage last), or <see langword="null"/>.</summary>
    public IReadOnlyList<ChatResponseUpdate>? Updates { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset ExpiresAt { get; }

    public string? Provider { get; }

    public string? Deployment { get; }

    public string? ResponseModel { get; }

    /// <summary>Gets what the original call cost in USD, or <see langword="null"/> when unknown.</summary>
    public decimal? CostUsd { get; }

    /// <summary>Whether the entry may answer a request at <paramref name="now"/> that accepts answers up to <paramref name="maxAge"/> old.</summary>
    public bool IsFresh(DateTimeOffset now, TimeSpan? maxAge)
        => now < ExpiresAt && (maxAge is not { } age || now - CreatedAt <= age);
}
