using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The OpenAI cookbook's prompt-token estimate for chat messages and tools ("How to count tokens with tiktoken",
/// <c>num_tokens_from_messages</c> and <c>num_tokens_for_tools</c>), over Microsoft.Extensions.AI types.
/// </summary>
internal static class ChatTokenCounting
{
    private const int TokensPerMessage = 3;
    private const int TokensPerName = 1;
    private const int ReplyPrimingTokens = 3;
    private const int PropertiesInitTokens = 3;
    private const int PropertyKeyTokens = 3;
    private const int EnumInitTokens = -3;
    private const int EnumItemTokens = 3;
    private const int FunctionsEndTokens = 12;

    // Function arguments and results count as compact JSON (MEAI's default options write indented JSON).
    private static readonly JsonSerializerOptions s_compactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <summary>Counts the prompt tokens of messages and the tools of the options.</summary>
    /// <param name="counter">The tokenizer.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <param name="functionInitTokens">The per-function overhead of the encoding's models.</param>
    /// <returns>The token count.</returns>
    public static int Count(ITokenCounter counter, IEnumerable<ChatMessage> messages, ChatOptions? options, int functionInitTokens)
    {
        int total = 0;
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            total += TokensPerMessage + counter.CountTokens(ChatRole.System.Value) + counter.CountTokens(options.Instructions);
        }

        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            total += TokensPerMessage + counter.CountTokens(message.Role.Value) + CountContents(counter, message.Contents);
            if (!string.IsNullOrEmpty(message.AuthorName))
            {
                total += TokensPerName + counter.CountTokens(message.AuthorName);
            }
        }

        total += ReplyPrimingTokens;
        if (options?.Tools is { Count: > 0 } tools)
        {
            total += CountTools(counter, tools, functionInitTokens);
        }

        return total;
    }

    private static int CountContents(ITokenCounter counter, IList<AIContent> contents)
    {
        int total = 0;
        StringBuilder? text = null;
        string? single = null;
        foreach (AIContent content in contents)
        {
            switch (content)
            {
                case TextContent { Text: { Length: > 0 } value }:
                    // The cookbook counts the message's text as one string.
                    if (single is null)
                    {
                        single = value;
                    }
                    else
                    {
                        text ??= new StringBuilder(single);
                        text.Append(value);
                    }

                    break;
                case FunctionCallContent call:
                    total += counter.CountTokens(call.Name);
                    if (call.Arguments is { Count: > 0 } arguments)
                    {
                        total += counter.CountTokens(JsonSerializer.Serialize(arguments, s_compactJson.GetTypeInfo(typeof(IDictionary<string, object?>))));
                    }

                    break;
                case FunctionResultContent result:
                    total += counter.CountTokens(result.Result switch
                    {
                        null => string.Empty,
                        string s => s,
                        var other => JsonSerializer.Serialize(other, s_compactJson.GetTypeInfo(typeof(object))),
                    });
                    break;
            }
        }

        if (text is not null)
        {
            total += counter.CountTokens(text.ToString());
        }
        else if (single is not null)
        {
            total += counter.CountTokens(single);
        }

        return total;
    }

    private static int CountTools(ITokenCounter counter, IList<AITool> tools, int functionInitTokens)
    {
        int total = 0;
        bool any = false;
        foreach (AITool tool in tools)
        {
            if (tool is not AIFunctionDeclaration function)
            {
                continue;
            }

            any = true;
            total += functionInitTokens + counter.CountTokens(function.Name + ":" + WithoutFinalPeriod(function.Description));
            if (function.JsonSchema.ValueKind == JsonValueKind.Object
                && function.JsonSchema.TryGetProperty("properties", out JsonElement properties)
                && properties.ValueKind == JsonValueKind.Object)
            {
                bool first = true;
                foreach (JsonProperty property in properties.EnumerateObject())
                {
                    if (first)
                    {
                        total += PropertiesInitTokens;
                        first = false;
                    }

                    total += PropertyKeyTokens + CountProperty(counter, property);
                }
            }
        }

        return any ? total + FunctionsEndTokens : 0;
    }

    private static int CountProperty(ITokenCounter counter, JsonProperty property)
    {
        int total = 0;
        string type = string.Empty, description = string.Empty;
        if (property.Value.ValueKind == JsonValueKind.Object)
        {
            JsonElement schema = property.Value;
            if (schema.TryGetProperty("type", out JsonElement typeElement))
            {
                type = TypeName(typeElement);
            }

            if (schema.TryGetProperty("description", out JsonElement descriptionElement) && descriptionElement.ValueKind == JsonValueKind.String)
            {
                description = descriptionElement.GetString() ?? string.Empty;
            }

            if (schema.TryGetProperty("enum", out JsonElement values) && values.ValueKind == JsonValueKind.Array)
            {
                total += EnumInitTokens;
                foreach (JsonElement value in values.EnumerateArray())
                {
                    total += EnumItemTokens + counter.CountTokens(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
                }
            }
        }

        return total + counter.CountTokens(property.Name + ":" + type + ":" + WithoutFinalPeriod(description));
    }

    private static string TypeName(JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString() ?? string.Empty;
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            // ["string", "null"] reads as a nullable string: name the types joined as TypeScript does.
            var names = new List<string>();
            foreach (JsonElement item in type.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    names.Add(item.GetString()!);
                }
            }

            return string.Join(" | ", names);
        }

        return string.Empty;
    }

    private static string WithoutFinalPeriod(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : text.EndsWith('.') ? text[..^1] : text;
}
