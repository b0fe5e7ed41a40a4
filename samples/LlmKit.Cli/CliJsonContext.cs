using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmKit.Cli;

/// <summary>Source-generated JSON for everything the CLI prints with --json (camelCase, nulls written).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ChatResult))]
[JsonSerializable(typeof(List<ModelRow>))]
[JsonSerializable(typeof(CostResult))]
[JsonSerializable(typeof(TokensResult))]
[JsonSerializable(typeof(ScanResult))]
[JsonSerializable(typeof(ScanLinesResult))]
[JsonSerializable(typeof(TemplateRenderResult))]
[JsonSerializable(typeof(List<TemplateRow>))]
[JsonSerializable(typeof(TemplateRow))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<ConversationRow>))]
[JsonSerializable(typeof(List<SearchHitRow>))]
[JsonSerializable(typeof(KnowledgeIngestResult))]
[JsonSerializable(typeof(KnowledgeSearchOutput))]
[JsonSerializable(typeof(KnowledgeAskResult))]
[JsonSerializable(typeof(ApiKeyCreatedResult))]
[JsonSerializable(typeof(ApiKeyRow))]
[JsonSerializable(typeof(List<ApiKeyRow>))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Gets a context that writes quotes and non-ASCII text as they are (the output is not HTML).</summary>
    public static CliJsonContext Output { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
