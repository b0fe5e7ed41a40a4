using System.Text.Json.Serialization;

namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit tokens</c>: <c>{encoding, tokens}</c>, or <c>{encoding, counts}</c> with --per-line.</summary>
internal sealed record TokensResult(
    string Encoding,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Tokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? Counts);
