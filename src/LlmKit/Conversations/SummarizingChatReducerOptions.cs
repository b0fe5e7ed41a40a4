using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>When and how <see cref="SummarizingChatReducer"/> summarises.</summary>
public sealed class SummarizingChatReducerOptions
{
    /// <summary>The default instructions given to the summarising model.</summary>
    public const string DefaultInstructions =
        "You maintain the running summary of a conversation between a user and an assistant. Merge the previous summary (if any) "
        + "with the new messages into one concise summary written in the third person. Keep names, numbers, dates, decisions, "
        + "preferences the user stated, tool results that matter and open questions; drop pleasantries. Reply with the summary text only.";

    /// <summary>
    /// Gets or sets the prompt size, in tokens, above which the reducer summarises. Below it the messages are
    /// returned unchanged, so the summariser does not run on every turn. Required (positive).
    /// </summary>
    public int TriggerTokens { get; set; }

    /// <summary>
    /// Gets or sets the size, in tokens, of the messages kept verbatim after a pass (system messages and the
    /// newest group included; the new summary comes on top). Required: positive and below <see cref="TriggerTokens"/>.
    /// </summary>
    public int TargetTokens { get; set; }

    /// <summary>Gets or sets the model that writes summaries (a cheap one), or <see langword="null"/> for the summarising client's default.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets the most tokens a summary may take. Defaults to 512.</summary>
    public int MaxSummaryTokens { get; set; } = 512;

    /// <summary>Gets or sets the instructions given to the summarising model. Defaults to <see cref="DefaultInstructions"/>.</summary>
    public string Instructions { get; set; } = DefaultInstructions;

    /// <summary>
    /// Gets or sets the options of the call whose prompt is being reduced (its instructions and tools count towards
    /// the trigger), or <see langword="null"/>.
    /// </summary>
    public ChatOptions? CountingOptions { get; set; }

    /// <summary>
    /// Gets or sets options the summarising call starts from (for example carrying a <see cref="LlmRequestContext"/>),
    /// or <see langword="null"/>. They are copied; <see cref="Model"/> and <see cref="MaxSummaryTokens"/> are applied on top.
    /// </summary>
    public ChatOptions? SummaryChatOptions { get; set; }
}
