namespace LlmKit;

/// <summary>A piece of a streamed grounded answer: text as it arrives, then one last update with the whole answer.</summary>
/// <param name="Text">The new text; empty in the last update.</param>
/// <param name="Answer">The whole answer with its citations, in the last update only; otherwise <see langword="null"/>.</param>
public sealed record KnowledgeAnswerUpdate(string Text, KnowledgeAnswer? Answer);
