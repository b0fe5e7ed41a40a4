using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Checks a model's tool-call arguments against the tool's JSON schema (the commonly used subset: types, required
/// properties, enums, bounds) before the tool runs, so a mistyped or missing field is reported to the model by name
/// rather than surfacing as a binding exception.
/// </summary>
internal static class ToolArgumentChecker
{
    /// <summary>Returns the problems with <paramref name="arguments"/>, each naming the field (<c>$.to</c>), or <see langword="null"/> when they match.</summary>
    public static List<string>? Check(AIFunction function, IDictionary<string, object?> arguments)
    {
        var schema = function.JsonSchema;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        JsonElement value;
        try
        {
            value = JsonSerializer.SerializeToElement(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Arguments the serializer cannot write were not parsed from the model's JSON: leave them to the tool's own binding.
            return null;
        }

        var problems = new List<string>();
        JsonSchemaSubset.Validate(schema, value, "$", problems);
        return problems.Count == 0 ? null : problems;
    }
}
