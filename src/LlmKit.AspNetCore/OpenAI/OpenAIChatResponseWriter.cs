using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>Writes MEAI responses as OpenAI <c>chat.completion</c> objects and <c>chat.completion.chunk</c> events.</summary>
internal static class OpenAIChatResponseWriter
{
    public static void WriteCompletion(Utf8JsonWriter w, ChatResponse response, string id, long created, string model)
    {
        var final = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant) ?? response.Messages.LastOrDefault();
        var calls = final?.Contents.OfType<FunctionCallContent>().Where(c => !c.InformationalOnly).ToList() ?? [];
        string? text = final is null ? null : string.Concat(final.Contents.OfType<TextContent>().Select(t => t.Text));

        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "chat.completion"u8);
        w.WriteNumber("created"u8, created);
        w.WriteString("model"u8, model);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("message"u8);
        w.WriteString("role"u8, "assistant"u8);
        if (string.IsNullOrEmpty(text) && calls.Count > 0)
        {
            w.WriteNull("content"u8);
        }
        else
        {
            w.WriteString("content"u8, text ?? string.Empty);
        }

        w.WriteNull("refusal"u8);
        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls"u8);
            foreach (var call in calls)
            {
                WriteToolCall(w, call, index: null);
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("annotations"u8);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("logprobs"u8);
        w.WriteString("finish_reason"u8, FinishReason(response.FinishReason, calls.Count > 0));
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, response.Usage);
        w.WriteNull("system_fingerprint"u8);
        w.WriteEndObject();
    }

    public static void WriteChunkStart(Utf8JsonWriter w, string id, long created, string model)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("object"u8, "chat.completion.chunk"u8);
        w.WriteNumber("created"u8, created);
        w.WriteString("model"u8, model);
        w.WriteNull("system_fingerprint"u8);
    }

    /// <summary>Writes one chunk with one choice whose delta holds the role, text and tool calls given.</summary>
    public static void WriteDeltaChunk(Utf8JsonWriter w, string id, long created, string model, bool includeUsage, bool withRole, string? text, IReadOnlyList<FunctionCallContent>? calls, ref int toolIndex, string? finishReason)
    {
        WriteChunkStart(w, id, created, model);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("delta"u8);
        if (withRole)
        {
            w.WriteString("role"u8, "assistant"u8);
        }

        if (text is not null)
        {
            w.WriteString("content"u8, text);
        }

        if (calls is { Count: > 0 })
        {
            w.WriteStartArray("tool_calls"u8);
            foreach (var call in calls)
            {
                WriteToolCall(w, call, toolIndex++);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            w.WriteNull("finish_reason"u8);
        }
        else
        {
            w.WriteString("finish_reason"u8, finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        if (includeUsage)
        {
            w.WriteNull("usage"u8);
        }

        w.WriteEndObject();
    }

    public static void WriteUsageChunk(Utf8JsonWriter w, string id, long created, string model, UsageDetails? usage)
    {
        WriteChunkStart(w, id, created, model);
        w.WriteStartArray("choices"u8);
        w.WriteEndArray();
        WriteUsage(w, usage);
        w.WriteEndObject();
    }

    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls)
    {
        if (reason == ChatFinishReason.Length)
        {
            return "length";
        }

        if (reason == ChatFinishReason.ContentFilter)
        {
            return "content_filter";
        }

        if (reason == ChatFinishReason.ToolCalls || (reason is null && hasToolCalls))
        {
            return "tool_calls";
        }

        return "stop";
    }

    public static void WriteUsage(Utf8JsonWriter w, UsageDetails? usage)
    {
        long input = usage?.InputTokenCount ?? 0;
        long output = usage?.OutputTokenCount ?? 0;
        w.WriteStartObject("usage"u8);
        w.WriteNumber("prompt_tokens"u8, input);
        w.WriteNumber("completion_tokens"u8, output);
        w.WriteNumber("total_tokens"u8, usage?.TotalTokenCount ?? input + output);
        w.WriteStartObject("prompt_tokens_details"u8);
        w.WriteNumber("cached_tokens"u8, usage?.CachedInputTokenCount ?? 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details"u8);
        w.WriteNumber("reasoning_tokens"u8, usage?.ReasoningTokenCount ?? 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteToolCall(Utf8JsonWriter w, FunctionCallContent call, int? index)
    {
        w.WriteStartObject();
        if (index is { } i)
        {
            w.WriteNumber("index"u8, i);
        }

        w.WriteString("id"u8, call.CallId);
        w.WriteString("type"u8, "function"u8);
        w.WriteStartObject("function"u8);
        w.WriteString("name"u8, call.Name);
        w.WriteString("arguments"u8, SerializeArguments(call.Arguments));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string SerializeArguments(IDictionary<string, object?>? arguments)
        => arguments is null ? "{}" : JsonSerializer.Serialize(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
}
