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

    /// <summary>Gets the earliest last-update time (inclusive), or <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? UpdatedAfter { get; init; }

    /// <summary>Gets the end of the last-update range (exclusive), or <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? UpdatedBefore { get; init; }

    /// <summary>Gets the page size, 1 to 1,000. Defaults to 50.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Gets the continuation token of the previous page, or <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}
