using System.Text.Json.Serialization;

namespace LlmKit;

/// <summary>Source-generated JSON for conversation exports and stored message rows (Microsoft.Extensions.AI types go through <see cref="AIJsonConverter{T}"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ConversationDocument))]
[JsonSerializable(typeof(MessageDto))]
[JsonSerializable(typeof(CallCost))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ConversationJsonContext : JsonSerializerContext;
