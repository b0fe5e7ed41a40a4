namespace LlmKit;

/// <summary>The export file: a format marker, its version and the conversations.</summary>
internal sealed class ConversationDocument
{
    public string? Format { get; set; }

    public int Version { get; set; }

    public List<ConversationDto?>? Conversations { get; set; }
}
