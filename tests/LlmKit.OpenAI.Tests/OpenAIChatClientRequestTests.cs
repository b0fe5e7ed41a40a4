using System.Net;
using System.Text.Json;
using LlmKit.OpenAI.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests;

/// <summary>Requests are checked field by field against the Chat Completions API reference.</summary>
public class OpenAIChatClientRequestTests
{
    private static (OpenAIChatClient Client, FakeHttpHandler Handler) Create(OpenAICompatibilityProfile? profile = null, Action<OpenAIConnectionOptions>? configure = null)
    {
        var handler = new FakeHttpHandler();
        var options = new OpenAIConnectionOptions { Profile = profile ?? OpenAICompatibilityProfile.OpenAI, ApiKey = "sk-test-key-0123456789", DefaultModel = "gpt-4o" };
        configure?.Invoke(options);
        return (new OpenAIChatClient(options, new HttpClient(handler)), handler);
    }

    private static async Task<JsonElement> SendAsync(IList<ChatMessage> messages, ChatOptions? options, OpenAICompatibilityProfile? profile = null, Action<OpenAIConnectionOptions>? configure = null, bool stream = false)
    {
        var (client, handler) = Create(profile, configure);
        if (stream)
        {
            handler.RespondFixture("stream-text.sse");
            await foreach (var _ in client.GetStreamingResponseAsync(messages, options))
            {
            }
        }
        else
        {
            handler.RespondFixture("chat-text.json");
            await client.GetResponseAsync(messages, options);
        }

        return JsonDocument.Parse(Assert.Single(handler.Requests).Body!).RootElement;
    }

    [Fact]
    public async Task GetResponseAsync_PlainText_SendsModelMessagesAndBearerKeyToChatCompletions()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-text.json");

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")]);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.openai.com/v1/chat/completions", request.Uri.ToString());
        Assert.Equal("Bearer sk-test-key-0123456789", request.Headers["Authorization"]);
        var body = JsonDocument.Parse(request.Body!).RootElement;
        Assert.Equal("gpt-4o", body.GetProperty("model").GetString());
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]""", body.GetProperty("messages").GetRawText());
        Assert.False(body.TryGetProperty("stream", out _));
    }

    [Fact]
    public async Task GetResponseAsync_AllSamplingOptions_MapToTheirFields()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions
        {
            ModelId = "gpt-4.1",
            MaxOutputTokens = 256,
            Temperature = 0.5f,
            TopP = 0.9f,
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            Seed = 42,
            StopSequences = ["END", "STOP"],
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
        });

        Assert.Equal("gpt-4.1", body.GetProperty("model").GetString());
        Assert.Equal(256, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal(0.5, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(0.1, body.GetProperty("frequency_penalty").GetDouble(), 3);
        Assert.Equal(0.2, body.GetProperty("presence_penalty").GetDouble(), 3);
        Assert.Equal(42, body.GetProperty("seed").GetInt64());
        Assert.Equal("""["END","STOP"]""", body.GetProperty("stop").GetRawText());
        Assert.Equal("high", body.GetProperty("reasoning_effort").GetString());
        Assert.False(body.TryGetProperty("max_tokens", out _));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Default_AsksForStreamAndFinalUsageChunk()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], null, stream: true);

        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public async Task GetResponseAsync_ToolsAndSpecificToolChoice_WriteFunctionsAndChoice()
    {
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather.");

        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireSpecific("get_weather"), AllowMultipleToolCalls = false });

        var function = body.GetProperty("tools")[0];
        Assert.Equal("function", function.GetProperty("type").GetString());
        Assert.Equal("get_weather", function.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("Gets the weather.", function.GetProperty("function").GetProperty("description").GetString());
        Assert.Equal("string", function.GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        Assert.Equal("""{"type":"function","function":{"name":"get_weather"}}""", body.GetProperty("tool_choice").GetRawText());
        Assert.False(body.GetProperty("parallel_tool_calls").GetBoolean());
    }

    [Theory]
    [InlineData("auto", "\"auto\"")]
    [InlineData("required", "\"required\"")]
    [InlineData("none", "\"none\"")]
    public async Task GetResponseAsync_ToolModes_WriteToolChoice(string mode, string expected)
    {
        var tool = AIFunctionFactory.Create(() => 1, "f");
        ChatToolMode toolMode = mode switch { "auto" => ChatToolMode.Auto, "required" => ChatToolMode.RequireAny, _ => ChatToolMode.None };

        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Tools = [tool], ToolMode = toolMode });

        Assert.Equal(expected, body.GetProperty("tool_choice").GetRawText());
        Assert.Equal(1, body.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaFormat_IsStrictByDefault()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false}""").RootElement;

        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "number_answer", "A number.") });

        var format = body.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("number_answer", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.Equal("A number.", format.GetProperty("json_schema").GetProperty("description").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        // Already strict: the rewrite keeps it as it is (members may be reordered).
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(schema.GetRawText()),
            System.Text.Json.Nodes.JsonNode.Parse(format.GetProperty("json_schema").GetProperty("schema").GetRawText())));
    }

    [Fact]
    public async Task GetResponseAsync_StrictJsonSchema_ClosesObjectsRequiresEveryPropertyAndMakesOptionalOnesNullable()
    {
        var schema = JsonDocument.Parse("""{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"n":{"type":"integer"},"tag":{"type":"string","enum":["a","b"]},"child":{"type":"object","properties":{"x":{"type":"number"}}},"any":{"$ref":"#/$defs/d"}},"required":["n"],"$defs":{"d":{"type":"string"}}}""").RootElement;

        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "s") });

        var sent = body.GetProperty("response_format").GetProperty("json_schema").GetProperty("schema");
        Assert.False(sent.TryGetProperty("$schema", out _));
        Assert.False(sent.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["n", "tag", "child", "any"], sent.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var properties = sent.GetProperty("properties");
        Assert.Equal("integer", properties.GetProperty("n").GetProperty("type").GetString());
        Assert.Equal("""["string","null"]""", properties.GetProperty("tag").GetProperty("type").GetRawText());
        Assert.Equal("""["a","b",null]""", properties.GetProperty("tag").GetProperty("enum").GetRawText());
        Assert.Equal("""["object","null"]""", properties.GetProperty("child").GetProperty("type").GetRawText());
        Assert.Equal("""["x"]""", properties.GetProperty("child").GetProperty("required").GetRawText());
        Assert.Equal("""{"anyOf":[{"$ref":"#/$defs/d"},{"type":"null"}]}""", properties.GetProperty("any").GetRawText());
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}}}}""", "$.m")]
    [InlineData("""{"type":"object","patternProperties":{"^x":{"type":"string"}}}""", "$")]
    [InlineData("""{"type":"array","items":{"type":"string"}}""", "$")]
    public async Task GetResponseAsync_StrictJsonSchemaItCannotExpress_ThrowsBeforeSendingNamingThePlace(string schemaJson, string path)
    {
        var schema = JsonDocument.Parse(schemaJson).RootElement;

        var ex = await Assert.ThrowsAsync<StructuredOutputSchemaException>(
            () => SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "s") }));

        Assert.Equal(path, Assert.Single(ex.Errors).Path);
        Assert.Contains("strict", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_JsonObjectFormat_WritesJsonObject()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        Assert.Equal("""{"type":"json_object"}""", body.GetProperty("response_format").GetRawText());
    }

    [Fact]
    public async Task GetResponseAsync_AdditionalProperties_PassThroughExceptLlmKitKeys()
    {
        var options = new ChatOptions { AdditionalProperties = new() { ["service_tier"] = "flex", ["metadata"] = new Dictionary<string, string> { ["k"] = "v" }, ["llmkit.context"] = new LlmRequestContext { TenantId = "t" } } };

        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], options);

        Assert.Equal("flex", body.GetProperty("service_tier").GetString());
        Assert.Equal("v", body.GetProperty("metadata").GetProperty("k").GetString());
        Assert.False(body.TryGetProperty("llmkit.context", out _));
    }

    [Fact]
    public async Task GetResponseAsync_DeveloperRoleAndInstructions_MapPerProfile()
    {
        var messages = new List<ChatMessage> { new(new ChatRole("developer"), "Rules."), new(ChatRole.User, "x") };

        var openAi = await SendAsync(messages, new ChatOptions { Instructions = "Be kind." });
        var ollama = await SendAsync(messages, new ChatOptions { Instructions = "Be kind." }, OpenAICompatibilityProfile.OllamaOpenAI);

        Assert.Equal("""[{"role":"developer","content":"Be kind."},{"role":"developer","content":"Rules."},{"role":"user","content":"x"}]""", openAi.GetProperty("messages").GetRawText());
        Assert.Equal("""[{"role":"system","content":"Be kind."},{"role":"system","content":"Rules."},{"role":"user","content":"x"}]""", ollama.GetProperty("messages").GetRawText());
    }

    [Fact]
    public async Task GetResponseAsync_ImagesByDataAndUri_WriteContentParts()
    {
        var message = new ChatMessage(ChatRole.User, [
            new TextContent("What is in these?"),
            new DataContent(new byte[] { 1, 2, 3 }, "image/png"),
            new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg") { AdditionalProperties = new() { ["detail"] = "low" } },
        ]);

        var body = await SendAsync([message], null);

        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"What is in these?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AQID"}},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]}]""",
            body.GetProperty("messages").GetRawText());
    }

    [Fact]
    public async Task GetResponseAsync_ToolConversationFromProvider_SendsCallsAndResultsBackUnchanged()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-tool-calls.json").RespondFixture("chat-text.json");
        var history = new List<ChatMessage> { new(ChatRole.User, "Weather in Boston and Paris?") };

        var first = await client.GetResponseAsync(history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_abc123", "72F"), new FunctionResultContent("call_def456", new { temp = 22 })]));
        await client.GetResponseAsync(history);

        var sent = JsonDocument.Parse(handler.Requests[1].Body!).RootElement.GetProperty("messages");
        Assert.Equal(4, sent.GetArrayLength());
        var assistant = sent[1];
        Assert.Equal("assistant", assistant.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, assistant.GetProperty("content").ValueKind);
        Assert.Equal("call_abc123", assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString());
        // The provider's own argument text goes back byte for byte.
        Assert.Equal("{\n\"location\": \"Boston, MA\"\n}", assistant.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("""{"role":"tool","tool_call_id":"call_abc123","content":"72F"}""", sent[2].GetRawText());
        Assert.Equal("call_def456", sent[3].GetProperty("tool_call_id").GetString());
        Assert.Equal("""{"temp":22}""", sent[3].GetProperty("content").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_AzureProfile_UsesDeploymentUrlApiVersionAndApiKeyHeader()
    {
        var (client, handler) = Create(OpenAICompatibilityProfile.AzureOpenAI, o => { o.BaseUrl = new Uri("https://contoso.openai.azure.com"); o.AzureApiVersion = "2025-01-01"; });
        handler.RespondFixture("chat-text.json");

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ModelId = "my-gpt4o" });

        var request = Assert.Single(handler.Requests);
        Assert.Equal("https://contoso.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2025-01-01", request.Uri.ToString());
        Assert.Equal("sk-test-key-0123456789", request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task GetResponseAsync_OllamaProfile_SendsMaxTokensToLocalDefaultWithoutKey()
    {
        var handler = new FakeHttpHandler().RespondFixture("chat-text.json");
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { Profile = OpenAICompatibilityProfile.OllamaOpenAI, DefaultModel = "llama3.1" }, new HttpClient(handler));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { MaxOutputTokens = 99 });

        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://127.0.0.1:11434/v1/chat/completions", request.Uri.ToString());
        Assert.False(request.Headers.ContainsKey("Authorization"));
        var body = JsonDocument.Parse(request.Body!).RootElement;
        Assert.Equal(99, body.GetProperty("max_tokens").GetInt32());
        Assert.False(body.TryGetProperty("max_completion_tokens", out _));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MistralProfile_UsesRandomSeedAndNoStreamOptions()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Seed = 7 }, OpenAICompatibilityProfile.Mistral, stream: true);

        Assert.Equal(7, body.GetProperty("random_seed").GetInt64());
        Assert.False(body.TryGetProperty("seed", out _));
        Assert.False(body.TryGetProperty("stream_options", out _));
    }

    [Fact]
    public async Task GetResponseAsync_CustomBaseUrlAndHeaders_AreAlwaysUsed()
    {
        var (client, handler) = Create(OpenAICompatibilityProfile.Groq, o =>
        {
            o.BaseUrl = new Uri("http://127.0.0.1:9999/proxy/v1");
            o.Headers["X-Team"] = "search";
            o.Organization = "org-1";
        });
        handler.RespondFixture("chat-text.json");

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://127.0.0.1:9999/proxy/v1/chat/completions", request.Uri.ToString());
        Assert.Equal("search", request.Headers["X-Team"]);
        Assert.Equal("org-1", request.Headers["OpenAI-Organization"]);
    }

    [Fact]
    public void Constructor_OpenAIWithoutKey_ThrowsNamingOptionAndVariable()
    {
        string? saved = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        try
        {
            var ex = Assert.Throws<LlmKitConfigurationException>(() => new OpenAIChatClient(new OpenAIConnectionOptions()));

            Assert.Contains("OPENAI_API_KEY", ex.Message, StringComparison.Ordinal);
            Assert.Contains("ApiKey", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", saved);
        }
    }

    [Fact]
    public void Options_ToString_NeverShowsTheKey()
    {
        var options = new OpenAIConnectionOptions { ApiKey = "sk-very-secret-123456" };

        Assert.DoesNotContain("sk-very-secret", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("api key set", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoModelAnywhere_ThrowsConfigurationException()
    {
        var (client, _) = Create(configure: o => o.DefaultModel = null);

        await Assert.ThrowsAsync<LlmKitConfigurationException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));
    }
}
