using System.Text.Json;
using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests.Chat;

/// <summary>Non-streaming responses, read from fixtures written from Gemini's documented formats.</summary>
public sealed class GeminiResponseReaderTests
{
    private static async Task<ChatResponse> GetAsync(string fixture)
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture(fixture));
        return await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Q")]);
    }

    [Fact]
    public async Task Text_Response_MapsTextIdsFinishReasonAndUsage()
    {
        var response = await GetAsync("generate-text.json");

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal("resp-text-1", response.ResponseId);
        Assert.Equal("resp-text-1", response.Messages[0].MessageId);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.Equal("gemini-2.5-flash", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("STOP", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        Assert.False(response.AdditionalProperties.ContainsKey(GeminiPropertyNames.SafetyRatings));
        var usage = response.Usage!;
        Assert.Equal(12, usage.InputTokenCount);
        Assert.Equal(4, usage.CachedInputTokenCount);
        Assert.Equal(8, usage.OutputTokenCount);
        Assert.Null(usage.ReasoningTokenCount);
        Assert.Equal(20, usage.TotalTokenCount);
    }

    [Fact]
    public async Task ToolCalls_WithoutIds_GetStableDistinctIdsJsonArgumentsAndToolCallsFinish()
    {
        var response = await GetAsync("generate-tool-calls.json");

        var contents = response.Messages[0].Contents;
        Assert.Equal(3, contents.Count);
        var thought = Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.StartsWith("The user wants the weather", thought.Text, StringComparison.Ordinal);
        var paris = Assert.IsType<FunctionCallContent>(contents[1]);
        var tokyo = Assert.IsType<FunctionCallContent>(contents[2]);
        Assert.Equal("llmkit_gemini_resp-tools-1_0", paris.CallId);
        Assert.Equal("llmkit_gemini_resp-tools-1_1", tokyo.CallId);
        Assert.Equal("get_weather", paris.Name);
        Assert.Equal("Paris", Assert.IsType<JsonElement>(paris.Arguments!["city"]).GetString());
        Assert.Equal(2, Assert.IsType<JsonElement>(paris.Arguments["days"]).GetInt32());
        var details = Assert.IsType<JsonElement>(tokyo.Arguments!["details"]);
        Assert.True(details.GetProperty("hourly").GetBoolean());
        Assert.Equal("CiQB0e2Kb8Hx1vYx3Qq9sZkQ1cW5cA0gkQ5mC3lJq2xq0Tn9kQ==", paris.AdditionalProperties![GeminiPropertyNames.ThoughtSignature]);
        Assert.Null(tokyo.AdditionalProperties);

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("STOP", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        var usage = response.Usage!;
        Assert.Equal(125, usage.InputTokenCount);
        Assert.Equal(95, usage.OutputTokenCount);
        Assert.Equal(55, usage.ReasoningTokenCount);
        Assert.Equal(220, usage.TotalTokenCount);
    }

    [Fact]
    public async Task ToolCalls_SameBodyParsedTwice_GetTheSameIds()
    {
        var first = await GetAsync("generate-tool-calls.json");
        var second = await GetAsync("generate-tool-calls.json");

        Assert.Equal(
            first.Messages[0].Contents.OfType<FunctionCallContent>().Select(c => c.CallId),
            second.Messages[0].Contents.OfType<FunctionCallContent>().Select(c => c.CallId));
    }

    [Fact]
    public async Task ToolCalls_WithGeminiIds_KeepThem()
    {
        var response = await GetAsync("generate-tool-calls-with-ids.json");

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages[0].Contents));
        Assert.Equal("fc-9f2c", call.CallId);
        Assert.Equal("Q2lRQjBlMktiOEh4", call.AdditionalProperties![GeminiPropertyNames.ThoughtSignature]);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Thinking_ThoughtPartsAndSignedText_MapToReasoningAndSignedText()
    {
        var response = await GetAsync("generate-thinking.json");

        var contents = response.Messages[0].Contents;
        Assert.Equal(2, contents.Count);
        Assert.Contains("Two plus two", Assert.IsType<TextReasoningContent>(contents[0]).Text, StringComparison.Ordinal);
        var text = Assert.IsType<TextContent>(contents[1]);
        Assert.Equal("2 + 2 = 4.", text.Text);
        Assert.Equal("RW5jcnlwdGVkVGhvdWdodA==", text.AdditionalProperties![GeminiPropertyNames.ThoughtSignature]);
        Assert.Equal("2 + 2 = 4.", response.Text);
        Assert.Equal(36, response.Usage!.OutputTokenCount);
        Assert.Equal(30, response.Usage.ReasoningTokenCount);
    }

    [Fact]
    public async Task BlockedPrompt_PromptFeedback_ThrowsContentBlockedWithReasonAndCategories()
    {
        var ex = await Assert.ThrowsAsync<ContentBlockedException>(() => GetAsync("generate-blocked-prompt.json"));

        Assert.Equal("gcp.gemini", ex.BlockedBy);
        Assert.Equal(["SAFETY", "HARM_CATEGORY_DANGEROUS_CONTENT"], ex.FindingTypes);
        Assert.Equal(LlmFailureKind.ContentPolicy, ex.FailureKind);
        Assert.Contains("SAFETY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SafetyFinish_Candidate_MapsToContentFilterWithSafetyRatings()
    {
        var response = await GetAsync("generate-safety-finish.json");

        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal("SAFETY", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        var ratings = Assert.IsType<JsonElement>(response.AdditionalProperties[GeminiPropertyNames.SafetyRatings]);
        Assert.True(ratings[0].GetProperty("blocked").GetBoolean());
        Assert.Equal("I can describe how", response.Text);
    }

    [Fact]
    public async Task MaxTokens_Candidate_MapsToLengthAndCountsThoughtsAsOutput()
    {
        var response = await GetAsync("generate-max-tokens.json");

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(64, response.Usage!.OutputTokenCount);
        Assert.Equal(54, response.Usage.ReasoningTokenCount);
        Assert.Equal(71, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task MalformedFunctionCall_Candidate_KeepsTheRawTextWithoutThrowing()
    {
        var response = await GetAsync("generate-malformed-function-call.json");

        Assert.Empty(response.Messages[0].Contents);
        Assert.Equal("MALFORMED_FUNCTION_CALL", response.FinishReason!.Value.Value);
        Assert.Equal("MALFORMED_FUNCTION_CALL", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        Assert.StartsWith("Malformed function call: print(default_api.get_weather(city='Paris'", (string)response.AdditionalProperties[GeminiPropertyNames.FinishMessage]!, StringComparison.Ordinal);
        Assert.Equal(80, response.Usage!.InputTokenCount);
        Assert.Null(response.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task UnknownValues_FinishReasonFieldsAndParts_AreKeptWithoutThrowing()
    {
        var response = await GetAsync("generate-unknown-values.json");

        Assert.Equal("A_REASON_FROM_THE_FUTURE", response.FinishReason!.Value.Value);
        Assert.Equal("A_REASON_FROM_THE_FUTURE", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        Assert.Equal("Something new happened.", response.AdditionalProperties[GeminiPropertyNames.FinishMessage]);
        var contents = response.Messages[0].Contents;
        Assert.Equal(4, contents.Count);
        var code = Assert.IsType<JsonElement>(contents[1].RawRepresentation);
        Assert.Equal("print(sum(range(10)))", code.GetProperty("executableCode").GetProperty("code").GetString());
        Assert.Equal("OUTCOME_OK", Assert.IsType<JsonElement>(contents[2].RawRepresentation).GetProperty("codeExecutionResult").GetProperty("outcome").GetString());
        Assert.Equal("Let me compute that.The sum is 45.", response.Text);
    }

    [Fact]
    public async Task UnknownParts_SentBack_AreWrittenUnchanged()
    {
        var response = await GetAsync("generate-unknown-values.json");
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Q"), .. response.Messages, new ChatMessage(ChatRole.User, "Thanks")]);

        using var json = handler.LastRequest.Json();
        var parts = json.RootElement.GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal(4, parts.GetArrayLength());
        Assert.Equal("print(sum(range(10)))", parts[1].GetProperty("executableCode").GetProperty("code").GetString());
        Assert.Equal("45\n", parts[2].GetProperty("codeExecutionResult").GetProperty("output").GetString());
    }

    [Fact]
    public async Task Media_InlineDataAndFileData_MapToDataAndUriContent()
    {
        var response = await GetAsync("generate-inline-image.json");

        var contents = response.Messages[0].Contents;
        var image = Assert.IsType<DataContent>(contents[1]);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(Convert.FromBase64String("iVBORw0KGgo="), image.Data.ToArray());
        var file = Assert.IsType<UriContent>(contents[2]);
        Assert.Equal("application/pdf", file.MediaType);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/files/abc123", file.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task MalformedJson_Body_ThrowsProviderResponseFormatException()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Bytes("{\"candidates\": [ {\"content\": "u8.ToArray()));

        var ex = await Assert.ThrowsAsync<ProviderResponseFormatException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "Q")]));

        Assert.Equal("gcp.gemini", ex.Provider);
        Assert.Equal(LlmFailureKind.InvalidResponse, ex.FailureKind);
    }

    [Fact]
    public async Task RoundTrip_ConversationWithGeminiToolCalls_IsSentBackUnchanged()
    {
        var first = await GetAsync("generate-tool-calls.json");
        var calls = first.Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);
        List<ChatMessage> conversation =
        [
            new ChatMessage(ChatRole.User, "Weather in Paris and Tokyo?"),
            .. first.Messages,
            new ChatMessage(ChatRole.Tool, [
                new FunctionResultContent(calls[0].CallId, JsonDocument.Parse("""{"temp":21}""").RootElement.Clone()),
                new FunctionResultContent(calls[1].CallId, JsonDocument.Parse("""{"temp":17}""").RootElement.Clone()),
            ]),
        ];

        await client.GetResponseAsync(conversation);

        using var original = JsonDocument.Parse(Fixtures.Bytes("generate-tool-calls.json"));
        var originalParts = original.RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts");
        using var sent = handler.LastRequest.Json();
        var contents = sent.RootElement.GetProperty("contents");
        Assert.Equal("model", contents[1].GetProperty("role").GetString());
        var sentParts = contents[1].GetProperty("parts");
        Assert.Equal(originalParts.GetArrayLength(), sentParts.GetArrayLength());
        for (int i = 0; i < originalParts.GetArrayLength(); i++)
        {
            Assert.True(JsonElement.DeepEquals(originalParts[i], sentParts[i]), $"part {i}: sent {sentParts[i]} but Gemini sent {originalParts[i]}");
        }

        var results = contents[2].GetProperty("parts");
        Assert.Equal("get_weather", results[0].GetProperty("functionResponse").GetProperty("name").GetString());
        Assert.Equal(17, results[1].GetProperty("functionResponse").GetProperty("response").GetProperty("temp").GetInt32());
    }
}
