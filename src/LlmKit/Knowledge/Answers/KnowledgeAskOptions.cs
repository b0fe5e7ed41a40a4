namespace LlmKit;

/// <summary>Options of <see cref="KnowledgeBase.AskAsync"/>.</summary>
public sealed class KnowledgeAskOptions
{
    /// <summary>Gets or sets how sources are retrieved. Defaults to hybrid search for the top 8 chunks of documents without a tenant.</summary>
    public KnowledgeSearchOptions Search { get; set; } = new() { Top = 8 };

    /// <summary>Gets or sets the most tokens the numbered sources may take in the prompt (exact count, whole chunks, best first). Defaults to 3,000.</summary>
    public int SourceTokens { get; set; } = 3000;

    /// <summary>Gets or sets the answer style the template asks for: <c>concise</c> (the default) or <c>detailed</c>.</summary>
    public string AnswerStyle { get; set; } = "concise";

    /// <summary>Gets or sets the template rendering the prompt. Defaults to <see langword="null"/>: the shipped <c>knowledge-query</c> template.</summary>
    public PromptTemplate? Template { get; set; }

    /// <summary>Gets or sets chat options (model, temperature, request context) laid over the template's. Defaults to <see langword="null"/>.</summary>
    public Microsoft.Extensions.AI.ChatOptions? ChatOptions { get; set; }

    /// <summary>Gets or sets earlier turns of a conversation, used with the question to retrieve sources and placed before it. Defaults to empty.</summary>
    public IList<Microsoft.Extensions.AI.ChatMessage> History { get; set; } = [];
}
