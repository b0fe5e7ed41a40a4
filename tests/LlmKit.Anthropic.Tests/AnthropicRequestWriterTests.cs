using System.Text.Json;
using LlmKit.Anthropic.Tests.TestDoubles;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmKit.Anthropic.Tests;

public class AnthropicRequestWriterTests
{
    private static readonly JsonElement WeatherSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}
        """).RootElement;

    [Fact]
    public void Write_MinimalRequest_HasModelMaxTokensAndUserTurn()
    {
        var body = Write([new ChatMessage(ChatRole.User, "Hello")], maxTokens: 321);

        Assert.Equal("claude-sonnet-4-6", body.GetProperty("model").GetString());
        Assert.Equal(321, body.GetProperty("max_tokens").GetInt32());
        Assert.False(body.TryGetProperty("system", out _));
        Assert.False(body.TryGetProperty("stream", out _));
        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        var block = Assert.Single(message.GetProperty("content").EnumerateArray());
        Assert.Equal("text", block.GetProperty("type").GetString());
        Assert.Equal("Hello", block.GetProperty("text").GetString());
    }

    [Fact]
    public void Write_Stream_SetsStreamTrue()
    {
        var body = Write([new ChatMessage(ChatRole.User, "Hi")], stream: true);

        Assert.True(body.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public void Write_SystemDeveloperAndInstructions_GoToTopLevelSystemInOrder()
    {
        var body = Write(
            [
                new ChatMessage(ChatRole.System, "First system."),
                new ChatMessage(ChatRole.User, "Question"),
                new ChatMessage(new ChatRole("developer"), "Developer note."),
                new ChatMessage(ChatRole.System, "Second system."),
            ],
            new ChatOptions { Instructions = "Per-call instructions." });

        var system = body.GetProperty("system").EnumerateArray().Select(b => b.GetProperty("text").GetString()).ToArray();
        Assert.Equal(new string?[] { "Per-call instructions.", "First system.", "Developer note.", "Second system." }, system);
        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
    }

    [Fact]
    public void Write_ToolResultsThenUserText_MergedIntoOneUserTurnWithResultsFirst()
    {
        var body = Write(
            [
                new ChatMessage(ChatRole.User, "Weather in two cities?"),
                new ChatMessage(ChatRole.Assistant, [
                    new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" }),
                    new FunctionCallContent("call_2", "get_weather", new Dictionary<string, object?> { ["location"] = "Rome" }),
                ]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "18 C")]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_2", "24 C")]),
                new ChatMessage(ChatRole.User, "And tomorrow?"),
            ]);

        var messages = body.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        var results = messages[2].GetProperty("content").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        Assert.Equal("tool_result", results[0].GetProperty("type").GetString());
        Assert.Equal("call_1", results[0].GetProperty("tool_use_id").GetString());
        Assert.Equal("18 C", results[0].GetProperty("content").GetString());
        Assert.Equal("call_2", results[1].GetProperty("tool_use_id").GetString());
        Assert.Equal("text", results[2].GetProperty("type").GetString());
        Assert.Equal("And tomorrow?", results[2].GetProperty("text").GetString());

        var uses = messages[1].GetProperty("content").EnumerateArray().ToArray();
        Assert.Equal("tool_use", uses[0].GetProperty("type").GetString());
        Assert.Equal("call_1", uses[0].GetProperty("id").GetString());
        Assert.Equal("get_weather", uses[0].GetProperty("name").GetString());
        Assert.Equal("Paris", uses[0].GetProperty("input").GetProperty("location").GetString());
    }

    [Fact]
    public void Write_FunctionResultWithException_SetsIsError()
    {
        var result = new FunctionResultContent("call_9", "Error: the tool failed.") { Exception = new InvalidOperationException("boom") };

        var block = Blocks(Write([new ChatMessage(ChatRole.Tool, [result])]))[0];

        Assert.True(block.GetProperty("is_error").GetBoolean());
        Assert.Equal("Error: the tool failed.", block.GetProperty("content").GetString());
    }

    [Fact]
    public void Write_FunctionResultObjects_AreSerializedAsJsonText()
    {
        var body = Write([new ChatMessage(ChatRole.Tool, [
            new FunctionResultContent("a", new Dictionary<string, object?> { ["temp"] = 21, ["sky"] = "clear" }),
            new FunctionResultContent("b", JsonDocument.Parse("""{"ok":true}""").RootElement),
            new FunctionResultContent("c", 42),
            new FunctionResultContent("d", null),
            new FunctionResultContent("e", new TextContent("as block")),
        ])]);

        var blocks = Blocks(body);
        Assert.Equal(21, JsonDocument.Parse(blocks[0].GetProperty("content").GetString()!).RootElement.GetProperty("temp").GetInt32());
        Assert.Equal("""{"ok":true}""", blocks[1].GetProperty("content").GetString());
        Assert.Equal("42", blocks[2].GetProperty("content").GetString());
        Assert.False(blocks[3].TryGetProperty("content", out _));
        Assert.Equal("as block", blocks[4].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.False(blocks[0].TryGetProperty("is_error", out _));
    }

    [Fact]
    public void Write_FunctionCallArgumentsOfAnyType_WrittenAsJson()
    {
        var call = new FunctionCallContent("c", "f", new Dictionary<string, object?>
        {
            ["n"] = 3,
            ["s"] = "x",
            ["b"] = false,
            ["nested"] = new Dictionary<string, object?> { ["k"] = 1.5 },
            ["list"] = new[] { "a", "b" },
            ["el"] = JsonDocument.Parse("[1,2]").RootElement,
            ["node"] = new JsonObject { ["z"] = true },
            ["none"] = null,
        });

        var input = Blocks(Write([new ChatMessage(ChatRole.Assistant, [call])]))[0].GetProperty("input");

        Assert.Equal(3, input.GetProperty("n").GetInt32());
        Assert.Equal("x", input.GetProperty("s").GetString());
        Assert.False(input.GetProperty("b").GetBoolean());
        Assert.Equal(1.5, input.GetProperty("nested").GetProperty("k").GetDouble());
        Assert.Equal("b", input.GetProperty("list")[1].GetString());
        Assert.Equal(2, input.GetProperty("el")[1].GetInt32());
        Assert.True(input.GetProperty("node").GetProperty("z").GetBoolean());
        Assert.Equal(JsonValueKind.Null, input.GetProperty("none").ValueKind);
    }

    [Fact]
    public void Write_ImageBytes_Base64Source()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

        var block = Blocks(Write([new ChatMessage(ChatRole.User, [new DataContent(png, "image/png")])]))[0];

        Assert.Equal("image", block.GetProperty("type").GetString());
        var source = block.GetProperty("source");
        Assert.Equal("base64", source.GetProperty("type").GetString());
        Assert.Equal("image/png", source.GetProperty("media_type").GetString());
        Assert.Equal(Convert.ToBase64String(png), source.GetProperty("data").GetString());
    }

    [Fact]
    public void Write_ImageUri_UrlSource()
    {
        var block = Blocks(Write([new ChatMessage(ChatRole.User, [new UriContent("https://example.com/cat.jpg", "image/jpeg")])]))[0];

        Assert.Equal("image", block.GetProperty("type").GetString());
        Assert.Equal("url", block.GetProperty("source").GetProperty("type").GetString());
        Assert.Equal("https://example.com/cat.jpg", block.GetProperty("source").GetProperty("url").GetString());
    }

    [Fact]
    public void Write_PdfAndPlainTextAndFile_DocumentBlocks()
    {
        var blocks = Blocks(Write([new ChatMessage(ChatRole.User, [
            new DataContent(new byte[] { 37, 80, 68, 70 }, "application/pdf") { Name = "report.pdf" },
            new DataContent("Plain notes"u8.ToArray(), "text/plain"),
            new UriContent("https://example.com/paper.pdf", "application/pdf"),
            new HostedFileContent("file_011CNha8iCJcU1wXNR6q4V8w") { MediaType = "application/pdf" },
        ])]));

        Assert.Equal("document", blocks[0].GetProperty("type").GetString());
        Assert.Equal("base64", blocks[0].GetProperty("source").GetProperty("type").GetString());
        Assert.Equal("application/pdf", blocks[0].GetProperty("source").GetProperty("media_type").GetString());
        Assert.Equal("report.pdf", blocks[0].GetProperty("title").GetString());
        Assert.Equal("text", blocks[1].GetProperty("source").GetProperty("type").GetString());
        Assert.Equal("Plain notes", blocks[1].GetProperty("source").GetProperty("data").GetString());
        Assert.Equal("document", blocks[2].GetProperty("type").GetString());
        Assert.Equal("url", blocks[2].GetProperty("source").GetProperty("type").GetString());
        Assert.Equal("file", blocks[3].GetProperty("source").GetProperty("type").GetString());
        Assert.Equal("file_011CNha8iCJcU1wXNR6q4V8w", blocks[3].GetProperty("source").GetProperty("file_id").GetString());
    }

    [Fact]
    public void Write_UnsupportedMediaType_ThrowsNotSupported()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Write([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "audio/wav")])]));

        Assert.Contains("audio/wav", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ThinkingWithSignatureAndRedacted_RoundTripBlocks()
    {
        var body = Write([
            new ChatMessage(ChatRole.User, "Q"),
            new ChatMessage(ChatRole.Assistant, [
                new TextReasoningContent("Let me think.") { ProtectedData = "sig-1" },
                new TextReasoningContent(string.Empty) { ProtectedData = "opaque", AdditionalProperties = new() { [AnthropicPropertyNames.RedactedThinking] = true } },
                new TextReasoningContent("unsigned reasoning from elsewhere"),
                new FunctionCallContent("toolu_1", "f", new Dictionary<string, object?>()),
            ]),
        ]);

        var blocks = body.GetProperty("messages")[1].GetProperty("content").EnumerateArray().ToArray();
        Assert.Equal(3, blocks.Length);
        Assert.Equal("thinking", blocks[0].GetProperty("type").GetString());
        Assert.Equal("Let me think.", blocks[0].GetProperty("thinking").GetString());
        Assert.Equal("sig-1", blocks[0].GetProperty("signature").GetString());
        Assert.Equal("redacted_thinking", blocks[1].GetProperty("type").GetString());
        Assert.Equal("opaque", blocks[1].GetProperty("data").GetString());
        Assert.Equal("tool_use", blocks[2].GetProperty("type").GetString());
    }

    [Fact]
    public void Write_EmptyTextsAndMessagesWithNothingToSend_AreLeftOut()
    {
        var body = Write([
            new ChatMessage(ChatRole.User, [new TextContent(""), new TextContent("kept")]),
            new ChatMessage(ChatRole.Assistant, [new TextContent(string.Empty), new UsageContent(new UsageDetails())]),
        ]);

        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("kept", Assert.Single(message.GetProperty("content").EnumerateArray()).GetProperty("text").GetString());
    }

    [Fact]
    public void Write_RawBlockFromResponse_SentBackUnchanged()
    {
        var raw = JsonDocument.Parse("""{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}}""").RootElement;

        var block = Blocks(Write([new ChatMessage(ChatRole.Assistant, [new AIContent { RawRepresentation = raw }])]))[0];

        Assert.Equal("server_tool_use", block.GetProperty("type").GetString());
        Assert.Equal("q", block.GetProperty("input").GetProperty("query").GetString());
    }

    [Fact]
    public void Write_CacheControlOnMessage_MarksItsLastBlock()
    {
        var message = new ChatMessage(ChatRole.User, [new TextContent("long document"), new TextContent("question"), new TextContent("")])
        {
            AdditionalProperties = new() { [AnthropicPropertyNames.CacheControl] = "ephemeral" },
        };

        var blocks = Blocks(Write([message]));

        Assert.False(blocks[0].TryGetProperty("cache_control", out _));
        Assert.Equal("ephemeral", blocks[1].GetProperty("cache_control").GetProperty("type").GetString());
    }

    [Fact]
    public void Write_CacheControlOnContent_AcceptsTypeNameJsonTextAndDictionary()
    {
        var blocks = Blocks(Write([new ChatMessage(ChatRole.User, [
            new TextContent("a") { AdditionalProperties = new() { [AnthropicPropertyNames.CacheControl] = """{"type":"ephemeral","ttl":"1h"}""" } },
            new TextContent("b") { AdditionalProperties = new() { [AnthropicPropertyNames.CacheControl] = new Dictionary<string, object?> { ["type"] = "ephemeral", ["ttl"] = "5m" } } },
            new TextContent("c") { AdditionalProperties = new() { [AnthropicPropertyNames.CacheControl] = JsonDocument.Parse("""{"type":"ephemeral"}""").RootElement } },
            new TextContent("d"),
        ])]));

        Assert.Equal("1h", blocks[0].GetProperty("cache_control").GetProperty("ttl").GetString());
        Assert.Equal("5m", blocks[1].GetProperty("cache_control").GetProperty("ttl").GetString());
        Assert.Equal("ephemeral", blocks[2].GetProperty("cache_control").GetProperty("type").GetString());
        Assert.False(blocks[3].TryGetProperty("cache_control", out _));
    }

    [Fact]
    public void Write_CacheControlOnSystemToolAndOptions_WrittenWhereAnthropicExpects()
    {
        var cachedTool = new PropertiesDeclaration("lookup", "Looks things up.", WeatherSchema, AnthropicPropertyNames.CacheControl, "ephemeral");
        var system = new ChatMessage(ChatRole.System, "Long system prompt") { AdditionalProperties = new() { [AnthropicPropertyNames.CacheControl] = "ephemeral" } };
        var options = new ChatOptions
        {
            Tools = [cachedTool],
            AdditionalProperties = new() { [AnthropicPropertyNames.CacheControl] = "ephemeral" },
        };

        var body = Write([system, new ChatMessage(ChatRole.User, "Q")], options);

        Assert.Equal("ephemeral", body.GetProperty("system")[0].GetProperty("cache_control").GetProperty("type").GetString());
        Assert.Equal("ephemeral", body.GetProperty("tools")[0].GetProperty("cache_control").GetProperty("type").GetString());
        Assert.Equal("ephemeral", body.GetProperty("cache_control").GetProperty("type").GetString());
        Assert.False(body.TryGetProperty(AnthropicPropertyNames.CacheControl, out _));
    }

    [Fact]
    public void Write_Tools_NameDescriptionInputSchemaAndStrict()
    {
        var weather = AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather.", WeatherSchema);
        var options = new ChatOptions { Tools = [weather, new PropertiesDeclaration("noop", null, default, AnthropicPropertyNames.Strict, true), new HostedWebSearchTool()] };

        var tools = Write([new ChatMessage(ChatRole.User, "Q")], options).GetProperty("tools").EnumerateArray().ToArray();

        Assert.Equal("get_weather", tools[0].GetProperty("name").GetString());
        Assert.Equal("Gets the weather.", tools[0].GetProperty("description").GetString());
        Assert.Equal("string", tools[0].GetProperty("input_schema").GetProperty("properties").GetProperty("location").GetProperty("type").GetString());
        Assert.False(tools[0].TryGetProperty("strict", out _));
        Assert.Equal("noop", tools[1].GetProperty("name").GetString());
        Assert.Equal("object", tools[1].GetProperty("input_schema").GetProperty("type").GetString());
        Assert.True(tools[1].GetProperty("strict").GetBoolean());
        Assert.False(tools[1].TryGetProperty("description", out _));
        Assert.Equal("web_search_20250305", tools[2].GetProperty("type").GetString());
        Assert.Equal("web_search", tools[2].GetProperty("name").GetString());
    }

    public static TheoryData<string, string, string?, bool> ToolModes => new()
    {
        { "auto", "auto", null, false },
        { "any", "any", null, false },
        { "specific", "tool", "get_weather", false },
        { "none", "none", null, false },
        { "auto-single", "auto", null, true },
        { "any-single", "any", null, true },
        { "unset-single", "auto", null, true },
    };

    [Theory]
    [MemberData(nameof(ToolModes))]
    public void Write_ToolMode_MapsToToolChoice(string mode, string expectedType, string? expectedName, bool single)
    {
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", null, WeatherSchema)],
            AllowMultipleToolCalls = single ? false : null,
            ToolMode = mode switch
            {
                "auto" or "auto-single" => ChatToolMode.Auto,
                "any" or "any-single" => ChatToolMode.RequireAny,
                "specific" => ChatToolMode.RequireSpecific("get_weather"),
                "none" => ChatToolMode.None,
                _ => null,
            },
        };

        var choice = Write([new ChatMessage(ChatRole.User, "Q")], options).GetProperty("tool_choice");

        Assert.Equal(expectedType, choice.GetProperty("type").GetString());
        Assert.Equal(expectedName, choice.TryGetProperty("name", out var name) ? name.GetString() : null);
        Assert.Equal(single, choice.TryGetProperty("disable_parallel_tool_use", out var disable) && disable.GetBoolean());
    }

    [Fact]
    public void Write_ToolModeWithoutToolsOrUnsetMode_NoToolChoice()
    {
        var noTools = Write([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { ToolMode = ChatToolMode.RequireAny });
        var unset = Write([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("f", null, WeatherSchema)] });

        Assert.False(noTools.TryGetProperty("tool_choice", out _));
        Assert.False(noTools.TryGetProperty("tools", out _));
        Assert.False(unset.TryGetProperty("tool_choice", out _));
    }

    [Fact]
    public void Write_SamplingOptions_Mapped_UnsupportedOnesLeftOut()
    {
        var options = new ChatOptions
        {
            Temperature = 0.25f,
            TopP = 0.9f,
            TopK = 40,
            StopSequences = ["END", "STOP"],
            Seed = 7,
            FrequencyPenalty = 0.5f,
            PresencePenalty = 0.5f,
        };

        var body = Write([new ChatMessage(ChatRole.User, "Q")], options);

        Assert.Equal(0.25, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(40, body.GetProperty("top_k").GetInt32());
        Assert.Equal(["END", "STOP"], body.GetProperty("stop_sequences").EnumerateArray().Select(e => e.GetString()));
        Assert.False(body.TryGetProperty("seed", out _));
        Assert.False(body.TryGetProperty("frequency_penalty", out _));
    }

    [Fact]
    public void Write_JsonSchemaFormat_OutputConfigFormat()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""").RootElement;

        var body = Write([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person") });

        var format = body.GetProperty("output_config").GetProperty("format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("string", format.GetProperty("schema").GetProperty("properties").GetProperty("name").GetProperty("type").GetString());
        Assert.False(body.TryGetProperty("system", out _));
    }

    [Fact]
    public void Write_JsonWithoutSchema_AddsSystemInstruction()
    {
        var body = Write([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Q")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        var system = body.GetProperty("system").EnumerateArray().Select(b => b.GetProperty("text").GetString()).ToArray();
        Assert.Equal(new string?[] { "Be brief.", AnthropicRequestWriter.JsonInstruction }, system);
        Assert.False(body.TryGetProperty("output_config", out _));
    }

    [Fact]
    public void Write_ReasoningOnAdaptiveModel_AdaptiveThinkingWithEffort()
    {
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.ExtraHigh, Output = ReasoningOutput.Summary } };

        var body = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-opus-4-7");

        Assert.Equal("adaptive", body.GetProperty("thinking").GetProperty("type").GetString());
        Assert.Equal("summarized", body.GetProperty("thinking").GetProperty("display").GetString());
        Assert.Equal("xhigh", body.GetProperty("output_config").GetProperty("effort").GetString());
    }

    [Fact]
    public void Write_ReasoningOnOlderModel_BudgetKeptBelowMaxTokens()
    {
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } };

        var roomy = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-sonnet-4-5-20250929", maxTokens: 64000);
        var tight = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-sonnet-4-5-20250929", maxTokens: 4096);
        var tooSmall = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-sonnet-4-5-20250929", maxTokens: 1500);

        Assert.Equal("enabled", roomy.GetProperty("thinking").GetProperty("type").GetString());
        Assert.Equal(16384, roomy.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal(3072, tight.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.False(tooSmall.TryGetProperty("thinking", out _));
        Assert.False(roomy.TryGetProperty("output_config", out _));
    }

    [Fact]
    public void Write_ThinkingStyleForced_OverridesModelDetection()
    {
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } };

        var budgeted = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-opus-4-7", maxTokens: 10000, style: AnthropicThinkingStyle.Budgeted);
        var adaptive = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-3-7-sonnet-latest", style: AnthropicThinkingStyle.Adaptive);

        Assert.Equal(2048, budgeted.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal("adaptive", adaptive.GetProperty("thinking").GetProperty("type").GetString());
        Assert.Equal("low", adaptive.GetProperty("output_config").GetProperty("effort").GetString());
    }

    [Fact]
    public void Write_ReasoningEffortNone_ThinkingDisabled()
    {
        var body = Write([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });

        Assert.Equal("disabled", body.GetProperty("thinking").GetProperty("type").GetString());
        Assert.False(body.TryGetProperty("output_config", out _));
    }

    [Fact]
    public void Write_ExplicitBudgetAndEffortKeys_WinOverReasoning()
    {
        var options = new ChatOptions
        {
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            AdditionalProperties = new() { [AnthropicPropertyNames.ThinkingBudgetTokens] = 5000, [AnthropicPropertyNames.Effort] = "max" },
        };

        var body = Write([new ChatMessage(ChatRole.User, "Q")], options, model: "claude-opus-4-6");

        Assert.Equal("enabled", body.GetProperty("thinking").GetProperty("type").GetString());
        Assert.Equal(5000, body.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal("max", body.GetProperty("output_config").GetProperty("effort").GetString());
    }

    [Fact]
    public void Write_AdditionalProperties_PassedThroughExceptLlmKitAndAnthropicKeys()
    {
        var options = new ChatOptions
        {
            Temperature = 0.1f,
            AdditionalProperties = new()
            {
                ["metadata"] = new Dictionary<string, object?> { ["user_id"] = "u-1" },
                ["service_tier"] = "auto",
                ["temperature"] = 0.7,
                ["thinking"] = JsonDocument.Parse("""{"type":"enabled","budget_tokens":2000}""").RootElement,
                ["llmkit.context"] = new object(),
                [AnthropicPropertyNames.Effort] = "low",
                ["model"] = "ignored",
            },
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
        };

        var body = Write([new ChatMessage(ChatRole.User, "Q")], options);
        string raw = body.GetRawText();

        Assert.Equal("u-1", body.GetProperty("metadata").GetProperty("user_id").GetString());
        Assert.Equal("auto", body.GetProperty("service_tier").GetString());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(2000, body.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.Equal("claude-sonnet-4-6", body.GetProperty("model").GetString());
        Assert.DoesNotContain("llmkit.", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("anthropic.", raw, StringComparison.Ordinal);
        Assert.Equal(1, CountProperties(body, "temperature"));
        Assert.Equal(1, CountProperties(body, "thinking"));
        Assert.Equal(1, CountProperties(body, "model"));
    }

    [Fact]
    public void Write_CountOnly_OmitsGenerationFields()
    {
        var options = new ChatOptions
        {
            Temperature = 0.3f,
            StopSequences = ["x"],
            Tools = [AIFunctionFactory.CreateDeclaration("f", null, WeatherSchema)],
            ToolMode = ChatToolMode.RequireAny,
            AdditionalProperties = new() { ["service_tier"] = "auto" },
        };

        var body = Write([new ChatMessage(ChatRole.System, "S"), new ChatMessage(ChatRole.User, "Q")], options, stream: false, countOnly: true);

        Assert.False(body.TryGetProperty("max_tokens", out _));
        Assert.False(body.TryGetProperty("temperature", out _));
        Assert.False(body.TryGetProperty("stop_sequences", out _));
        Assert.False(body.TryGetProperty("service_tier", out _));
        Assert.Equal("S", body.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.Equal("f", body.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("any", body.GetProperty("tool_choice").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("claude-3-7-sonnet-latest", true)]
    [InlineData("claude-3-5-haiku-20241022", true)]
    [InlineData("claude-sonnet-4-20250514", true)]
    [InlineData("claude-sonnet-4-0", true)]
    [InlineData("claude-opus-4-1", true)]
    [InlineData("claude-sonnet-4-5-20250929", true)]
    [InlineData("claude-haiku-4-5", true)]
    [InlineData("claude-opus-4-5", true)]
    [InlineData("anthropic.claude-sonnet-4-5-20250929-v1:0", true)]
    [InlineData("claude-opus-4-6", false)]
    [InlineData("claude-sonnet-4-6", false)]
    [InlineData("claude-opus-4-7", false)]
    [InlineData("claude-fable-5", false)]
    public void PredatesAdaptiveThinking_ModelIds_Classified(string model, bool expected)
        => Assert.Equal(expected, AnthropicRequestWriter.PredatesAdaptiveThinking(model));

    private static int CountProperties(JsonElement body, string name) => body.EnumerateObject().Count(p => p.Name == name);

    private static JsonElement[] Blocks(JsonElement body) => body.GetProperty("messages")[0].GetProperty("content").EnumerateArray().ToArray();

    private static JsonElement Write(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        string model = "claude-sonnet-4-6",
        int maxTokens = 1000,
        bool stream = false,
        AnthropicThinkingStyle style = AnthropicThinkingStyle.Auto,
        bool countOnly = false)
    {
        using var content = AnthropicRequestWriter.Write(new AnthropicRequest(model, messages, options, maxTokens, stream, style, countOnly));
        return JsonDocument.Parse(content.Json.ToArray()).RootElement.Clone();
    }

    private sealed class PropertiesDeclaration(string name, string? description, JsonElement schema, string key, object value) : AIFunctionDeclaration
    {
        public override string Name => name;

        public override string Description => description ?? string.Empty;

        public override JsonElement JsonSchema => schema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?> { [key] = value };
    }
}
