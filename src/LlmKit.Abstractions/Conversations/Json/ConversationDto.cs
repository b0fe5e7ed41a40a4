namespace LlmKit;

/// <summary>A conversation as written to an export file.</summary>
internal sealed class ConversationDto
{
    public string? Id { get; set; }

    public string? Title { get; set; }

    public string? TenantId { get; set; }

    public string? UserId { get; set; }

    public List<string>? Tags { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? Model { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal CostUsd { get; set; }

    public long AuxiliaryInputTokens { get; set; }

    public long AuxiliaryOutputTokens { get; set; }

    public decimal AuxiliaryCostUsd { get; set; }

    public long AuxiliaryUnknownCostCalls { get; set; }

    public long Version { get; set; }

    public long MessageCount { get; set; }

    public List<MessageDto?>? Messages { get; set; }
}
