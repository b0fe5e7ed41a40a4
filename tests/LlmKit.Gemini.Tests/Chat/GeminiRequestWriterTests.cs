using System.Text.Json;
using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests.Chat;

/// <summary>The request bodies, asserted field by field on what the client actually sent.</summary>
public sealed class GeminiRequestWriterTests
{
    private static readonly JsonElement WeatherSchema = JsonDocument.Parse("""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "properties": {
            "city": { "type": "string", "description": "The city" },
            "unit": { "type": ["string", "null"], "enum": ["celsius", "fahrenheit", null] }
          },
          "required": ["city"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private static AIFunctionDeclaration Weather => AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather.", WeatherSchema);

    private static async Task<JsonElement> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);
        await client.GetResponseAsync(messages, options);
        using var json = handler.LastRequest.Json();
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task Contents_UserAndAssistantText_MapToUserAndModelRolesWithTextParts()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, "Hi"),
            new ChatMessage(ChatRole.Assistant, "Hello!"),
            new ChatMessage(ChatRole.User, "What is 2+2?"),
        ]);

        var contents = body.GetProperty("contents");
        Assert.Equal(3, contents.GetArrayLength());
        Assert.Equal("user", contents[0].GetProperty("role").GetString());
        Assert.Equal("Hi", contents[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("model", contents[1].GetProperty("role").GetString());
        Assert.Equal("Hello!", contents[1].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("user", contents[2].GetProperty("role").GetString());
        Assert.False(body.TryGetProperty("systemInstruction", out _));
    }

    [Fact]
    public async Task SystemInstruction_SystemDeveloperMessagesAndInstructions_GoToSystemInstructionInOrder()
    {
        var body = await SendAsync(
            [
                new ChatMessage(ChatRole.System, "Be brief."),
                new ChatMessage(new ChatRole("developer"), "Answer in French."),
                new ChatMessage(ChatRole.User, "Hello"),
            ],
            new ChatOptions { Instructions = "You are a tutor." });

        var parts = body.GetProperty("systemInstruction").GetProperty("parts");
        Assert.Equal(new[] { "You are a tutor.", "Be brief.", "Answer in French." }, parts.EnumerateArray().Select(p => p.GetProperty("text").GetString()!).ToArray());
        var contents = body.GetProperty("contents");
        Assert.Equal(1, contents.GetArrayLength());
        Assert.Equal("user", contents[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Contents_ConsecutiveMessagesOfOneRoleAndEmptyText_MergeAndSkipEmptyParts()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, "First"),
            new ChatMessage(ChatRole.User, "Second"),
            new ChatMessage(ChatRole.Assistant, [new TextContent(string.Empty)]),
        ]);

        var contents = body.GetProperty("contents");
        Assert.Equal(1, contents.GetArrayLength());
        Assert.Equal(2, contents[0].GetProperty("parts").GetArrayLength());
        Assert.Equal("Second", contents[0].GetProperty("parts")[1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Contents_MessageWithNothingGeminiTakes_IsLeftOut()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, "Hi"),
            new ChatMessage(ChatRole.Assistant, [new UsageContent(new UsageDetails())]),
            new ChatMessage(ChatRole.User, "Again"),
        ]);

        var contents = body.GetProperty("contents");
        Assert.Equal(1, contents.GetArrayLength());
        Assert.Equal(2, contents[0].GetProperty("parts").GetArrayLength());
    }

    [Fact]
    public async Task Parts_DataUriAndHostedFile_MapToInlineDataAndFileData()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, [
                new TextContent("Describe these."),
                new DataContent(png, "image/png"),
                new UriContent(new Uri("https://example.com/report.pdf"), "application/pdf"),
                new HostedFileContent("https://generativelanguage.googleapis.com/v1beta/files/f1") { MediaType = "video/mp4" },
            ]),
        ]);

        var parts = body.GetProperty("contents")[0].GetProperty("parts");
        Assert.Equal(4, parts.GetArrayLength());
        var inline = parts[1].GetProperty("inlineData");
        Assert.Equal("image/png", inline.GetProperty("mimeType").GetString());
        Assert.Equal(png, inline.GetProperty("data").GetBytesFromBase64());
        var file = parts[2].GetProperty("fileData");
        Assert.Equal("application/pdf", file.GetProperty("mimeType").GetString());
        Assert.Equal("https://example.com/report.pdf", file.GetProperty("fileUri").GetString());
        Assert.Equal("video/mp4", parts[3].GetProperty("fileData").GetProperty("mimeType").GetString());
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/files/f1", parts[3].GetProperty("fileData").GetProperty("fileUri").GetString());
    }

    [Fact]
    public async Task Tools_FunctionDeclaration_SendsParametersJsonSchemaWithoutSchemaKeyword()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Weather?")], new ChatOptions { Tools = [Weather] });

        var declaration = body.GetProperty("tools")[0].GetProperty("functionDeclarations")[0];
        Assert.Equal("get_weather", declaration.GetProperty("name").GetString());
        Assert.Equal("Gets the weather.", declaration.GetProperty("description").GetString());
        var schema = declaration.GetProperty("parametersJsonSchema");
        Assert.False(schema.TryGetProperty("$schema", out _));
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal("The city", schema.GetProperty("properties").GetProperty("city").GetProperty("description").GetString());
        Assert.Equal("city", schema.GetProperty("required")[0].GetString());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.False(declaration.TryGetProperty("parameters", out _));
        Assert.False(body.TryGetProperty("toolConfig", out _));
    }

    [Theory]
    [InlineData("auto", "AUTO", null)]
    [InlineData("none", "NONE", null)]
    [InlineData("any", "ANY", null)]
    [InlineData("specific", "ANY", "get_weather")]
    public async Task ToolConfig_ToolMode_MapsToFunctionCallingMode(string mode, string expected, string? allowed)
    {
        ChatToolMode toolMode = mode switch
        {
            "auto" => ChatToolMode.Auto,
            "none" => ChatToolMode.None,
            "any" => ChatToolMode.RequireAny,
            _ => ChatToolMode.RequireSpecific("get_weather"),
        };

        var body = await SendAsync([new ChatMessage(ChatRole.User, "Weather?")], new ChatOptions { Tools = [Weather], ToolMode = toolMode });

        var config = body.GetProperty("toolConfig").GetProperty("functionCallingConfig");
        Assert.Equal(expected, config.GetProperty("mode").GetString());
        if (allowed is null)
        {
            Assert.False(config.TryGetProperty("allowedFunctionNames", out _));
        }
        else
        {
            Assert.Equal(allowed, Assert.Single(config.GetProperty("allowedFunctionNames").EnumerateArray()).GetString());
        }

        // The declarations are sent whatever the mode, so that the model sees the same tools.
        Assert.Equal(1, body.GetProperty("tools")[0].GetProperty("functionDeclarations").GetArrayLength());
    }

    [Fact]
    public async Task Tools_HostedSearchAndCodeExecution_MapToGeminiBuiltInTools()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "News?")], new ChatOptions { Tools = [new HostedWebSearchTool(), new HostedCodeInterpreterTool()] });

        var tools = body.GetProperty("tools");
        Assert.Equal(2, tools.GetArrayLength());
        Assert.Equal(JsonValueKind.Object, tools[0].GetProperty("googleSearch").ValueKind);
        Assert.Equal(JsonValueKind.Object, tools[1].GetProperty("codeExecution").ValueKind);
    }

    [Fact]
    public async Task GenerationConfig_SamplingOptions_AreWrittenWithCandidateCountOne()
    {
        var body = await SendAsync(
            [new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions
            {
                MaxOutputTokens = 256,
                Temperature = 0.25f,
                TopP = 0.9f,
                TopK = 40,
                Seed = 1234,
                StopSequences = ["END", "STOP"],
                PresencePenalty = 0.5f,
                FrequencyPenalty = 0.25f,
            });

        var config = body.GetProperty("generationConfig");
        Assert.Equal(1, config.GetProperty("candidateCount").GetInt32());
        Assert.Equal(256, config.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal(0.25, config.GetProperty("temperature").GetDouble(), 5);
        Assert.Equal(0.9, config.GetProperty("topP").GetDouble(), 5);
        Assert.Equal(40, config.GetProperty("topK").GetInt32());
        Assert.Equal(1234, config.GetProperty("seed").GetInt64());
        Assert.Equal(new[] { "END", "STOP" }, config.GetProperty("stopSequences").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(0.5, config.GetProperty("presencePenalty").GetDouble(), 5);
        Assert.Equal(0.25, config.GetProperty("frequencyPenalty").GetDouble(), 5);
        Assert.False(config.TryGetProperty("thinkingConfig", out _));
        Assert.False(config.TryGetProperty("responseMimeType", out _));
    }

    [Fact]
    public async Task GenerationConfig_JsonFormat_SetsMimeTypeOnly()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        var config = body.GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        Assert.False(config.TryGetProperty("responseJsonSchema", out _));
        Assert.False(config.TryGetProperty("responseSchema", out _));
    }

    [Fact]
    public async Task GenerationConfig_JsonSchemaFormat_SendsResponseJsonSchema()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather") });

        var config = body.GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        var schema = config.GetProperty("responseJsonSchema");
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.True(schema.GetProperty("properties").TryGetProperty("unit", out _));
        Assert.False(schema.TryGetProperty("$schema", out _));
    }

    [Theory]
    [InlineData("gemini-2.5-flash", ReasoningEffort.None, 0)]
    [InlineData("gemini-2.5-pro", ReasoningEffort.None, 128)]
    [InlineData("gemini-2.5-flash", ReasoningEffort.Low, 1024)]
    [InlineData("gemini-2.5-flash", ReasoningEffort.Medium, 8192)]
    [InlineData("gemini-2.5-flash", ReasoningEffort.High, 16384)]
    [InlineData("gemini-2.5-flash", ReasoningEffort.ExtraHigh, 24576)]
    public async Task ThinkingConfig_EffortOnGemini25_MapsToThinkingBudget(string model, ReasoningEffort effort, int budget)
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = model, Reasoning = new ReasoningOptions { Effort = effort } });

        var thinking = body.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(budget, thinking.GetProperty("thinkingBudget").GetInt32());
        Assert.False(thinking.TryGetProperty("thinkingLevel", out _));
        Assert.False(thinking.TryGetProperty("includeThoughts", out _));
    }

    [Theory]
    [InlineData("gemini-3-flash-preview", ReasoningEffort.None, "minimal")]
    [InlineData("gemini-3-flash-preview", ReasoningEffort.Medium, "medium")]
    [InlineData("gemini-3-pro-preview", ReasoningEffort.Low, "low")]
    [InlineData("gemini-3-pro-preview", ReasoningEffort.Medium, "high")]
    [InlineData("gemini-3-pro-preview", ReasoningEffort.ExtraHigh, "high")]
    public async Task ThinkingConfig_EffortOnGemini3_MapsToThinkingLevel(string model, ReasoningEffort effort, string level)
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = model, Reasoning = new ReasoningOptions { Effort = effort } });

        var thinking = body.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(level, thinking.GetProperty("thinkingLevel").GetString());
        Assert.False(thinking.TryGetProperty("thinkingBudget", out _));
    }

    [Theory]
    [InlineData(ReasoningOutput.Full, true)]
    [InlineData(ReasoningOutput.Summary, true)]
    [InlineData(ReasoningOutput.None, false)]
    public async Task ThinkingConfig_ReasoningOutput_SetsIncludeThoughts(ReasoningOutput output, bool include)
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new ReasoningOptions { Output = output } });

        var thinking = body.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(include, thinking.GetProperty("includeThoughts").GetBoolean());
        Assert.False(thinking.TryGetProperty("thinkingBudget", out _));
    }

    [Fact]
    public async Task ThinkingConfig_ExplicitBudgetKey_WinsAndIsNotSentAsAField()
    {
        var body = await SendAsync(
            [new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions
            {
                Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low, Output = ReasoningOutput.Full },
                AdditionalProperties = new() { [GeminiPropertyNames.ThinkingBudget] = 3000, ["llmkit.tenant"] = "acme" },
            });

        var thinking = body.GetProperty("generationConfig").GetProperty("thinkingConfig");
        Assert.Equal(3000, thinking.GetProperty("thinkingBudget").GetInt32());
        Assert.True(thinking.GetProperty("includeThoughts").GetBoolean());
        Assert.DoesNotContain(body.EnumerateObject(), p => p.Name.StartsWith("llmkit.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThinkingConfig_RegistrySaysModelCannotReason_IsLeftOut()
    {
        var registry = new FakeModelRegistry(new ModelDescriptor
        {
            Id = "gemini/gemini-2.0-flash",
            Provider = "gemini",
            ProviderModelId = "gemini-2.0-flash",
            Aliases = ["gemini-2.0-flash"],
            Capabilities = ModelCapabilities.Chat | ModelCapabilities.Tools,
        });
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler, registry: registry);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "gemini/gemini-2.0-flash", Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } });

        Assert.EndsWith("/v1beta/models/gemini-2.0-flash:generateContent", handler.LastRequest.Uri.AbsoluteUri, StringComparison.Ordinal);
        using var json = handler.LastRequest.Json();
        Assert.False(json.RootElement.GetProperty("generationConfig").TryGetProperty("thinkingConfig", out _));
    }

    [Fact]
    public async Task AdditionalProperties_SafetySettingsAndRawFields_PassThroughAtTopLevel()
    {
        var safety = JsonDocument.Parse("""[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"}]""").RootElement.Clone();
        var body = await SendAsync(
            [new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions
            {
                AdditionalProperties = new()
                {
                    ["safetySettings"] = safety,
                    ["cachedContent"] = "cachedContents/abc",
                    ["llmkit.budget_scope"] = "team-a",
                },
            });

        Assert.Equal("BLOCK_ONLY_HIGH", body.GetProperty("safetySettings")[0].GetProperty("threshold").GetString());
        Assert.Equal("cachedContents/abc", body.GetProperty("cachedContent").GetString());
        Assert.False(body.TryGetProperty("llmkit.budget_scope", out _));
    }

    [Fact]
    public async Task AdditionalProperties_RawGenerationConfigAndTools_MergeIntoLlmKitsOwn()
    {
        var config = JsonDocument.Parse("""{"responseModalities":["TEXT"],"temperature":0.1}""").RootElement.Clone();
        var tools = JsonDocument.Parse("""[{"urlContext":{}}]""").RootElement.Clone();
        var body = await SendAsync(
            [new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { Temperature = 0.9f, Tools = [Weather], AdditionalProperties = new() { ["generationConfig"] = config, ["tools"] = tools } });

        var generation = body.GetProperty("generationConfig");
        Assert.Equal("TEXT", generation.GetProperty("responseModalities")[0].GetString());
        Assert.Equal(0.1, generation.GetProperty("temperature").GetDouble(), 5);
        Assert.Equal(1, generation.EnumerateObject().Count(p => p.NameEquals("temperature")));
        Assert.Equal(1, generation.GetProperty("candidateCount").GetInt32());
        var toolArray = body.GetProperty("tools");
        Assert.Equal(2, toolArray.GetArrayLength());
        Assert.True(toolArray[0].TryGetProperty("functionDeclarations", out _));
        Assert.True(toolArray[1].TryGetProperty("urlContext", out _));
        Assert.Equal(1, body.EnumerateObject().Count(p => p.NameEquals("tools")));
    }

    [Fact]
    public async Task FunctionCallAndResult_WithoutGeminiIds_MapBackByNameWithoutIds()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, "Weather in Paris and Tokyo?"),
            new ChatMessage(ChatRole.Assistant, [
                new FunctionCallContent("llmkit_gemini_resp_0", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
                new FunctionCallContent("llmkit_gemini_resp_1", "get_time", new Dictionary<string, object?> { ["zone"] = "Asia/Tokyo", ["precise"] = true }),
            ]),
            new ChatMessage(ChatRole.Tool, [
                new FunctionResultContent("llmkit_gemini_resp_0", JsonDocument.Parse("""{"temp":21}""").RootElement.Clone()),
                new FunctionResultContent("llmkit_gemini_resp_1", "09:30"),
            ]),
        ]);

        var contents = body.GetProperty("contents");
        Assert.Equal(3, contents.GetArrayLength());
        var calls = contents[1].GetProperty("parts");
        Assert.Equal("get_weather", calls[0].GetProperty("functionCall").GetProperty("name").GetString());
        Assert.Equal("Paris", calls[0].GetProperty("functionCall").GetProperty("args").GetProperty("city").GetString());
        Assert.False(calls[0].GetProperty("functionCall").TryGetProperty("id", out _));
        Assert.True(calls[1].GetProperty("functionCall").GetProperty("args").GetProperty("precise").GetBoolean());

        Assert.Equal("user", contents[2].GetProperty("role").GetString());
        var results = contents[2].GetProperty("parts");
        Assert.Equal("get_weather", results[0].GetProperty("functionResponse").GetProperty("name").GetString());
        Assert.Equal(21, results[0].GetProperty("functionResponse").GetProperty("response").GetProperty("temp").GetInt32());
        Assert.False(results[0].GetProperty("functionResponse").TryGetProperty("id", out _));
        Assert.Equal("get_time", results[1].GetProperty("functionResponse").GetProperty("name").GetString());
        Assert.Equal("09:30", results[1].GetProperty("functionResponse").GetProperty("response").GetProperty("output").GetString());
    }

    [Fact]
    public async Task FunctionCallAndResult_WithGeminiIds_SendIdsBack()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, "Order A-17?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("fc-9f2c", "lookup_order", new Dictionary<string, object?> { ["order"] = "A-17" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("fc-9f2c", new Dictionary<string, object?> { ["status"] = "shipped", ["items"] = 3 })]),
        ]);

        var contents = body.GetProperty("contents");
        Assert.Equal("fc-9f2c", contents[1].GetProperty("parts")[0].GetProperty("functionCall").GetProperty("id").GetString());
        var response = contents[2].GetProperty("parts")[0].GetProperty("functionResponse");
        Assert.Equal("fc-9f2c", response.GetProperty("id").GetString());
        Assert.Equal("lookup_order", response.GetProperty("name").GetString());
        Assert.Equal("shipped", response.GetProperty("response").GetProperty("status").GetString());
        Assert.Equal(3, response.GetProperty("response").GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task FunctionResult_WithException_IsSentAsError()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "Error: Function failed.") { Exception = new InvalidOperationException("boom") }]),
        ]);

        var response = body.GetProperty("contents")[1].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("response");
        Assert.Equal("Error: Function failed.", response.GetProperty("error").GetString());
        Assert.False(response.TryGetProperty("output", out _));
    }

    [Fact]
    public async Task FunctionResult_ObjectOfAnyType_IsSerialisedWithMeaiContracts()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "list", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", new[] { 1, 2, 3 })]),
        ]);

        var output = body.GetProperty("contents")[1].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("response").GetProperty("output");
        Assert.Equal([1, 2, 3], output.EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Fact]
    public async Task FunctionResult_WithoutItsCall_ThrowsArgumentExceptionNamingTheCallId()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("orphan-1", "x")]),
        ]));

        Assert.Contains("orphan-1", ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task FunctionResult_WithStoredFunctionName_UsesItWhenTheCallIsGone()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("orphan-1", "x") { AdditionalProperties = new() { [GeminiPropertyNames.FunctionName] = "get_weather" } }]),
        ]);

        Assert.Equal("get_weather", body.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ThoughtSignatures_OnContents_AreWrittenBackOnTheirParts()
    {
        var body = await SendAsync([
            new ChatMessage(ChatRole.User, "Q"),
            new ChatMessage(ChatRole.Assistant, [
                new TextReasoningContent("Thinking...") { ProtectedData = "sig-thought" },
                new TextContent("Answer") { AdditionalProperties = new() { [GeminiPropertyNames.ThoughtSignature] = "sig-text" } },
                new FunctionCallContent("c1", "f", new Dictionary<string, object?>()) { AdditionalProperties = new() { [GeminiPropertyNames.ThoughtSignature] = "sig-call" } },
                new TextReasoningContent(string.Empty) { ProtectedData = "sig-only" },
                new TextReasoningContent(string.Empty),
            ]),
        ]);

        var parts = body.GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal(4, parts.GetArrayLength());
        Assert.True(parts[0].GetProperty("thought").GetBoolean());
        Assert.Equal("Thinking...", parts[0].GetProperty("text").GetString());
        Assert.Equal("sig-thought", parts[0].GetProperty("thoughtSignature").GetString());
        Assert.Equal("sig-text", parts[1].GetProperty("thoughtSignature").GetString());
        Assert.False(parts[1].TryGetProperty("thought", out _));
        Assert.Equal("sig-call", parts[2].GetProperty("thoughtSignature").GetString());
        Assert.Equal(string.Empty, parts[3].GetProperty("text").GetString());
        Assert.Equal("sig-only", parts[3].GetProperty("thoughtSignature").GetString());
        Assert.False(parts[3].TryGetProperty("thought", out _));
    }

    [Theory]
    [InlineData("gemini-3-pro-preview", true)]
    [InlineData("gemini-2.5-flash", false)]
    public async Task UnsignedCallsFromAnotherProvider_OnGemini3_GetTheSkipValidatorSentinelOnTheFirstCall(string model, bool sentinel)
    {
        var body = await SendAsync(
            [
                new ChatMessage(ChatRole.User, "Q"),
                new ChatMessage(ChatRole.Assistant, [
                    new FunctionCallContent("toolu_01", "a", new Dictionary<string, object?>()),
                    new FunctionCallContent("toolu_02", "b", new Dictionary<string, object?>()),
                ]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01", "1"), new FunctionResultContent("toolu_02", "2")]),
            ],
            new ChatOptions { ModelId = model });

        var parts = body.GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal(sentinel, parts[0].TryGetProperty("thoughtSignature", out var signature));
        if (sentinel)
        {
            Assert.Equal("skip_thought_signature_validator", signature.GetString());
        }

        Assert.False(parts[1].TryGetProperty("thoughtSignature", out _));
    }

    [Fact]
    public async Task SignedCalls_OnGemini3_KeepTheirOwnSignatureAndGetNoSentinel()
    {
        var body = await SendAsync(
            [
                new ChatMessage(ChatRole.User, "Q"),
                new ChatMessage(ChatRole.Assistant, [
                    new FunctionCallContent("c1", "a", new Dictionary<string, object?>()) { AdditionalProperties = new() { [GeminiPropertyNames.ThoughtSignature] = "real-sig" } },
                    new FunctionCallContent("c2", "b", new Dictionary<string, object?>()),
                ]),
            ],
            new ChatOptions { ModelId = "gemini-3-pro-preview" });

        var parts = body.GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal("real-sig", parts[0].GetProperty("thoughtSignature").GetString());
        Assert.False(parts[1].TryGetProperty("thoughtSignature", out _));
    }

    [Fact]
    public async Task AdditionalProperties_GenerationConfigAsDictionary_IsMerged()
    {
        var body = await SendAsync(
            [new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { AdditionalProperties = new() { ["generationConfig"] = new Dictionary<string, object?> { ["responseLogprobs"] = true, ["logprobs"] = 3 } } });

        var generation = body.GetProperty("generationConfig");
        Assert.True(generation.GetProperty("responseLogprobs").GetBoolean());
        Assert.Equal(3, generation.GetProperty("logprobs").GetInt32());
    }

    [Fact]
    public async Task CountTokens_Request_WrapsTheGenerateContentRequestWithModel()
    {
        var handler = FakeHttpHandler.Fixture("count-tokens.json");
        using var client = TestClients.Chat(handler);

        await client.CountTokensAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Tools = [Weather] });

        Assert.EndsWith("/v1beta/models/gemini-2.5-flash:countTokens", handler.LastRequest.Uri.AbsoluteUri, StringComparison.Ordinal);
        using var json = handler.LastRequest.Json();
        var request = json.RootElement.GetProperty("generateContentRequest");
        Assert.Equal("models/gemini-2.5-flash", request.GetProperty("model").GetString());
        Assert.Equal("Be brief.", request.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("Hi", request.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.True(request.TryGetProperty("tools", out _));
    }

    private sealed class FakeModelRegistry(ModelDescriptor model) : IModelRegistry
    {
        public ModelCatalogInfo CatalogInfo => throw new NotSupportedException();

        public bool TryGet(string idOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? found)
        {
            found = string.Equals(idOrAlias, model.Id, StringComparison.OrdinalIgnoreCase) || model.Aliases.Contains(idOrAlias, StringComparer.OrdinalIgnoreCase) ? model : null;
            return found is not null;
        }

        public IReadOnlyList<ModelDescriptor> Query(ModelQuery? query = null) => [model];

        public void Register(ModelDescriptor descriptor) => throw new NotSupportedException();

        public void SetActive(string id, bool isActive) => throw new NotSupportedException();
    }
}
