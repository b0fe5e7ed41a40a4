using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Writes Ollama <c>/api/chat</c> request bodies.</summary>
internal static class OllamaRequestWriter
{
    public static void Write(Utf8JsonWriter w, string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, string? keepAlive)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, model);
        w.WriteStartArray("messages"u8);
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            w.WriteStartObject();
            w.WriteString("role"u8, "system"u8);
            w.WriteString("content"u8, instructions);
            w.WriteEndObject();
        }

        // Ollama's tool results name the tool, not the call id: remember which name each id had.
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            WriteMessage(w, message, callNames);
        }

        w.WriteEndArray();
        w.WriteBoolean("stream"u8, stream);
        if (keepAlive is not null)
        {
            w.WriteString("keep_alive"u8, keepAlive);
        }

        if (options is not null)
        {
            if (options.Tools is { Count: > 0 } tools && options.ToolMode is not NoneChatToolMode)
            {
                w.WriteStartArray("tools"u8);
                foreach (var tool in tools)
                {
                    if (tool is AIFunctionDeclaration function)
                    {
                        w.WriteStartObject();
                        w.WriteString("type"u8, "function"u8);
                        w.WriteStartObject("function"u8);
                        w.WriteString("name"u8, function.Name);
                        w.WriteString("description"u8, function.Description);
                        w.WritePropertyName("parameters"u8);
                        function.JsonSchema.WriteTo(w);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                }

                w.WriteEndArray();
            }

            switch (options.ResponseFormat)
            {
                case ChatResponseFormatJson { Schema: { } schema }:
                    w.WritePropertyName("format"u8);
                    schema.WriteTo(w);
                    break;
                case ChatResponseFormatJson:
                    w.WriteString("format"u8, "json"u8);
                    break;
            }

            if (options.Reasoning?.Effort is { } effort)
            {
                if (effort == ReasoningEffort.None)
                {
                    w.WriteBoolean("think"u8, false);
                }
                else
                {
                    w.WriteString("think"u8, effort switch { ReasoningEffort.Low => "low", ReasoningEffort.High or ReasoningEffort.ExtraHigh => "high", _ => "medium" });
                }
            }

            w.WriteStartObject("options"u8);
            if (options.MaxOutputTokens is { } max)
            {
                w.WriteNumber("num_predict"u8, max);
            }

            if (options.Temperature is { } temperature)
            {
                w.WriteNumber("temperature"u8, temperature);
            }

            if (options.TopP is { } topP)
            {
                w.WriteNumber("top_p"u8, topP);
            }

            if (options.TopK is { } topK)
            {
                w.WriteNumber("top_k"u8, topK);
            }

            if (options.Seed is { } seed)
            {
                w.WriteNumber("seed"u8, seed);
            }

            if (options.FrequencyPenalty is { } frequency)
            {
                w.WriteNumber("frequency_penalty"u8, frequency);
            }

            if (options.PresencePenalty is { } presence)
            {
                w.WriteNumber("presence_penalty"u8, presence);
            }

            if (options.StopSequences is { Count: > 0 } stops)
            {
                w.WriteStartArray("stop"u8);
                foreach (var stop in stops)
                {
                    w.WriteStringValue(stop);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();

            if (options.AdditionalProperties is { Count: > 0 } extra)
            {
                foreach (var (key, value) in extra)
                {
                    if (!key.StartsWith("llmkit.", StringComparison.Ordinal))
                    {
                        w.WritePropertyName(key);
                        OpenAIRequestWriter.WriteValue(w, value);
                    }
                }
            }
        }

        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message, Dictionary<string, string> callNames)
    {
        if (message.Role == ChatRole.Tool)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    w.WriteStartObject();
                    w.WriteString("role"u8, "tool"u8);
                    w.WriteString("content"u8, OpenAIRequestWriter.ResultToString(result));
                    if (callNames.TryGetValue(result.CallId, out string? name))
                    {
                        w.WriteString("tool_name"u8, name);
                    }

                    w.WriteEndObject();
                }
            }

            return;
        }

        w.WriteStartObject();
        string role = message.Role == ChatRole.Assistant ? "assistant" : message.Role == ChatRole.User ? "user" : "system";
        w.WriteString("role"u8, role);
        w.WriteString("content"u8, string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text)));
        var thinking = string.Concat(message.Contents.OfType<TextReasoningContent>().Select(t => t.Text));
        if (thinking.Length > 0)
        {
            w.WriteString("thinking"u8, thinking);
        }

        var images = message.Contents.OfType<DataContent>().Where(d => d.HasTopLevelMediaType("image")).ToList();
        if (images.Count > 0)
        {
            w.WriteStartArray("images"u8);
            foreach (var image in images)
            {
                w.WriteBase64StringValue(image.Data.Span);
            }

            w.WriteEndArray();
        }

        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls"u8);
            foreach (var call in calls)
            {
                callNames[call.CallId] = call.Name;
                w.WriteStartObject();
                w.WriteStartObject("function"u8);
                w.WriteString("name"u8, call.Name);
                w.WritePropertyName("arguments"u8);
                w.WriteStartObject();
                foreach (var (key, value) in call.Arguments ?? new Dictionary<string, object?>())
                {
                    w.WritePropertyName(key);
                    OpenAIRequestWriter.WriteValue(w, value);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}
