namespace LlmKit;

/// <summary>One state of a streamed structured answer: a partial object holding the fields completed so far, or the final validated object.</summary>
/// <typeparam name="T">The type of the answer.</typeparam>
/// <param name="Value">The object: partial (fields not yet streamed are left at their defaults) or, when <paramref name="IsFinal"/>, complete and validated.</param>
/// <param name="IsFinal">Whether this is the validated object at the end of the stream.</param>
/// <param name="CompletedFields">How many members and array elements had completed when this state was read.</param>
public sealed record StructuredOutputStreamUpdate<T>(T Value, bool IsFinal, int CompletedFields);
