using System.Text.Json.Serialization;

namespace LlmKit;

/// <summary>Source-generated JSON for the columns the durable stores keep as JSON (tags, metadata, costs).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(CallCost))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
