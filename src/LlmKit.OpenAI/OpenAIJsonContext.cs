using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmKit;

/// <summary>Source-generated JSON metadata for the few shapes parsed with the serializer.</summary>
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
