namespace LlmKit;

/// <summary>Filters and pages a conversation listing, newest update first.</summary>
public sealed record ConversationQuery
{
    /// <summary>Gets the tenant to match, or <see langword="null"/> for any.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the user to match, or <see langword="null"/> for any.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets tags the conversation must all carry. Defaults to none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// Gets the earliest last-update time (inclusive), or <see langword="null"/> for no lower bound. Must not be after
    /// <see cref="UpdatedBefore"/> when both are set.
    /// </summary>
    public DateTimeOffset? UpdatedAfter { get; init; }

    /// <summary>Gets the end of the last-update range (exclusive), or <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? UpdatedBefore { get; init; }

    /// <summary>
    /// Gets the earliest creation time (inclusive), or <see langword="null"/> (the default) for no lower bound.
    /// Compared at the stores' precision: the bound is truncated to whole microseconds (UTC), like the stored times.
    /// </summary>
    /// <remarks>
    /// Filters by <see cref="Conversation.CreatedAt"/> (e.g. "conversations started last week"); the listing is still
    /// ordered and paged by last update. Must not be after <see cref="CreatedBefore"/> when both are set.
    /// </remarks>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>
    /// Gets the end of the creation-time range (exclusive), or <see langword="null"/> (the default) for no upper bound.
    /// Compared at the stores' precision: the bound is truncated to whole microseconds (UTC), like the stored times.
    /// </summary>
    /// <remarks>
    /// Filters by <see cref="Conversation.CreatedAt"/>; equal to <see cref="CreatedAfter"/> it matches nothing, before it
    /// the query is rejected with an <see cref="ArgumentException"/>.
    /// </remarks>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Gets the page size, 1 to 1,000. Defaults to 50.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Gets the continuation token of the previous page, or <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}
