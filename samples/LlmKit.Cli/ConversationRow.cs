namespace LlmKit.Cli;

/// <summary>One conversation (without messages) in the --json output of <c>llmkit conversations list</c>.</summary>
internal sealed record ConversationRow(
    string Id,
    string? Title,
    string? TenantId,
    string? UserId,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Model,
    long MessageCount,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    long Version)
{
    public static ConversationRow From(Conversation c)
        => new(c.Id, c.Title, c.TenantId, c.UserId, c.Tags, c.CreatedAt, c.UpdatedAt, c.Model, c.MessageCount, c.InputTokens, c.OutputTokens, c.CostUsd, c.Version);
}
