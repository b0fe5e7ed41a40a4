using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.AspNetCore;

public sealed class ChatCompletionsEndpointTests
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 11, OutputTokenCount = 4, TotalTokenCount = 15 };

    [Fact]
    public async Task Answers_in_OpenAIs_chat_completion_format_and_charges_the_ledger_to_the_keys_tenant_and_id()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        LlmRequestContext? seen = null;
        host.Provider.Responds((_, options) =>
        {
            seen = options.GetLlmContext();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello there")) { FinishReason = ChatFinishReason.Stop, Usage = Usage };
        });

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"Hi"}]}""", key.Key));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonShape.AssertMatches("chat_completion.json", body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("smart", root.GetProperty("model").GetString());
        Assert.Equal(host.Time.GetUtcNow().ToUnixTimeSeconds(), root.GetProperty("created").GetInt64());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("Hello there", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(11, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(15, root.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        Assert.Equal(("acme", key.Record.Id), (seen?.TenantId, seen?.ApiKeyId));
        var ledger = await host.LedgerAsync();
        Assert.Equal(1, ledger.Calls);
        Assert.Equal(11, ledger.InputTokens);
    }

    [Fact]
    public async Task Maps_every_supported_request_field_onto_the_messages_and_options_the_provider_receives()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        List<ChatMessage>? messages = null;
        ChatOptions? options = null;
        host.Provider.Responds((m, o) =>
        {
            messages = m.ToList();
            options = o;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "{}")) { Usage = Usage };
        });
        const string Request = """
        {
          "model": "cheap",
          "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
            {"role": "user", "name": "ann", "content": [{"type": "text", "text": "Weather?"}, {"type": "image_url", "image_url": {"url": "https://example.com/sky.png"}}]},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "4 C"}
          ],
          "temperature": 0.3, "top_p": 0.9, "seed": 42, "stop": ["END", "STOP"], "max_completion_tokens": 77,
          "frequency_penalty": 0.5, "presence_penalty": -0.5, "reasoning_effort": "high", "user": "end-user-7", "n": 1,
          "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Gets the weather.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
          "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
          "parallel_tool_calls": false,
          "response_format": {"type": "json_schema", "json_schema": {"name": "weather", "description": "A forecast.", "strict": true, "schema": {"type": "object", "properties": {"c": {"type": "number"}}}}},
          "store": false, "metadata": {"ignored": "yes"}
        }
        """;

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Request, key.Key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([ChatRole.System, ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.Tool], (messages ?? []).Select(m => m.Role));
        var sent = messages!;
        Assert.Equal("Use metric units.", sent[1].Text);
        Assert.Equal("ann", sent[2].AuthorName);
        Assert.Equal("https://example.com/sky.png", Assert.IsType<UriContent>(sent[2].Contents[1]).Uri.ToString());
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(sent[3].Contents));
        Assert.Equal(("call_1", "get_weather", "Oslo"), (call.CallId, call.Name, ((JsonElement)call.Arguments!["city"]!).GetString()));
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(sent[4].Contents));
        Assert.Equal(("call_1", "4 C"), (result.CallId, (string)result.Result!));

        Assert.Equal(0.3f, options?.Temperature);
        var received = options!;
        Assert.Equal(0.9f, received.TopP);
        Assert.Equal(42, received.Seed);
        Assert.Equal(["END", "STOP"], received.StopSequences!);
        Assert.Equal(77, received.MaxOutputTokens);
        Assert.Equal(0.5f, received.FrequencyPenalty);
        Assert.Equal(-0.5f, received.PresencePenalty);
        Assert.Equal(ReasoningEffort.High, received.Reasoning?.Effort);
        Assert.Equal("end-user-7", received.AdditionalProperties?["user"]);
        var tool = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(received.Tools!));
        Assert.Equal("get_weather", tool.Name);
        Assert.Equal("string", tool.JsonSchema.GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        Assert.Equal("get_weather", Assert.IsType<RequiredChatToolMode>(received.ToolMode).RequiredFunctionName);
        Assert.False(received.AllowMultipleToolCalls);
        var format = Assert.IsType<ChatResponseFormatJson>(received.ResponseFormat);
        Assert.Equal("weather", format.SchemaName);
        Assert.Equal("A forecast.", format.SchemaDescription);
        Assert.Equal("number", format.Schema!.Value.GetProperty("properties").GetProperty("c").GetProperty("type").GetString());
        Assert.False(received.AdditionalProperties!.ContainsKey("store"));
    }

    [Fact]
    public async Task Returns_the_models_tool_calls_with_arguments_as_a_json_string_and_finish_reason_tool_calls()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Oslo", ["days"] = 2 }, "call_9");

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","messages":[{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]}""", key.Key));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonShape.AssertMatches("chat_completion_tool_calls.json", body);
        using var json = JsonDocument.Parse(body);
        var choice = json.RootElement.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("call_9", call.GetProperty("id").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        using var arguments = JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!);
        Assert.Equal("Oslo", arguments.RootElement.GetProperty("city").GetString());
        Assert.Equal(2, arguments.RootElement.GetProperty("days").GetInt32());
    }

    [Fact]
    public async Task Streams_server_sent_events_with_a_role_chunk_text_deltas_a_finish_chunk_a_usage_chunk_and_done()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.StreamsChunks(["Hel", "lo", "!"], usage: Usage);

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}""", key.Key));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = SseEvents(body);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        foreach (var chunk in chunks[..^1])
        {
            JsonShape.AssertMatches("chat_completion_chunk.json", chunk.GetRawText());
            Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind);
        }

        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        string text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var t) ? t.GetString() : null));
        Assert.Equal("Hello!", text);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        JsonShape.AssertMatches("chat_completion_usage_chunk.json", chunks[^1].GetRawText());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(15, chunks[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task Streams_without_usage_chunks_unless_asked()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.StreamsChunks(["a", "b"], usage: Usage);

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", key.Key));
        var events = SseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal("[DONE]", events[^1]);
        Assert.All(events[..^1], e => Assert.False(JsonDocument.Parse(e).RootElement.TryGetProperty("usage", out _)));
        Assert.All(events[..^1], e => Assert.Equal(1, JsonDocument.Parse(e).RootElement.GetProperty("choices").GetArrayLength()));
    }

    [Fact]
    public async Task A_stream_refused_before_its_first_chunk_gets_the_status_and_error_body_not_an_event_stream()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.Throws(new BudgetExceededException("b1", BudgetScope.Tenant("acme"), BudgetUnit.Usd, 5m, 0m, 0.1m, host.Time.GetUtcNow().AddMinutes(30)));

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", key.Key));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromMinutes(30), response.Headers.RetryAfter?.Delta);
        JsonShape.AssertMatches("error.json", body);
        Assert.Equal("budget_exceeded", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_stream_that_fails_after_chunks_ends_with_an_error_event_and_no_done_marker()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.StreamsThenFails(["partial "], new ProviderException("The provider dropped the stream.", "scripted", HttpStatusCode.BadGateway, LlmFailureKind.ServerError, isRetryable: false));

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", key.Key));
        var events = SseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var last = JsonDocument.Parse(events[^1]).RootElement;
        Assert.Equal("server_error", last.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("partial ", events.Take(events.Count - 1).Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("delta")).Select(d => d.TryGetProperty("content", out var c) ? c.GetString() : null));
    }

    [Fact]
    public async Task Streams_tool_calls_as_tool_call_deltas_with_index_and_finish_reason_tool_calls()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.ReturnsToolCall("lookup", new Dictionary<string, object?> { ["q"] = "x" }, "call_s");

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", """{"model":"smart","stream":true,"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"lookup"}}]}""", key.Key));
        var events = SseEvents(await response.Content.ReadAsStringAsync());

        var deltas = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        var call = deltas.Select(d => d.GetProperty("delta")).First(d => d.TryGetProperty("tool_calls", out _)).GetProperty("tool_calls")[0];
        Assert.Equal(0, call.GetProperty("index").GetInt32());
        Assert.Equal("call_s", call.GetProperty("id").GetString());
        Assert.Equal("lookup", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("x", JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("q").GetString());
        Assert.Equal("tool_calls", deltas[^1].GetProperty("finish_reason").GetString());
    }

    internal static List<string> SseEvents(string body)
        => body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => Assert.Single(e.Split('\n'), l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])
            .ToList();
}
