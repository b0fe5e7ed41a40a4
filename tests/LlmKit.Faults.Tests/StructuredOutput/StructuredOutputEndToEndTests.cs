using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Faults.Tests.Structured;

public sealed record Invoice
{
    public required string Number { get; init; }

    public required string Customer { get; init; }

    public required InvoiceStatus Status { get; init; }

    public required decimal Total { get; init; }

    public string? Note { get; init; }

    public required List<InvoiceLine> Lines { get; init; }
}

public sealed record InvoiceLine
{
    public required string Item { get; init; }

    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public required int Quantity { get; init; }

    public required decimal Price { get; init; }
}

public enum InvoiceStatus
{
    Draft,
    Sent,
    Paid,
}

/// <summary>
/// Typed calls through the whole AddLlmKit() pipeline and each provider's wire format over HTTP (aimock): the validated
/// object, fenced answers, a repair round metered as its own ledger record under one logical request, repeated failure,
/// refusal, the native and the emulated path, and streamed partial objects.
/// </summary>
public sealed class StructuredOutputEndToEndTests(StructuredOutputAimockFixture aimock) : IClassFixture<StructuredOutputAimockFixture>
{
    public static TheoryData<string> Providers => new(StructuredOutputAimockFixture.Providers);

    private (ServiceProvider Services, RecordingUsageLedger Ledger) Build(string provider, string testId, bool emulated = false)
    {
        var ledger = new RecordingUsageLedger();
        var services = new ServiceCollection();
        services.AddSingleton<IUsageLedger>(ledger);
        services.AddLlmKit(kit =>
        {
            switch (provider)
            {
                case "anthropic":
                    kit.AddAnthropic("p", o => { o.BaseUrl = aimock.Server.BaseUri; o.ApiKey = "sk-ant-structured-0000"; o.Headers["X-Test-Id"] = testId; });
                    break;
                case "gemini":
                    kit.AddGemini("p", o => { o.BaseUrl = aimock.Server.BaseUri; o.ApiKey = "gemini-structured-key"; o.Headers["X-Test-Id"] = testId; });
                    break;
                case "ollama":
                    kit.AddOllama("p", o => { o.BaseUrl = aimock.Server.BaseUri; o.Headers["X-Test-Id"] = testId; });
                    break;
                default:
                    kit.AddOpenAI("p", o => { o.BaseUrl = new Uri(aimock.Server.BaseUri, "v1/"); o.ApiKey = "sk-structured-0000"; o.Headers["X-Test-Id"] = testId; });
                    break;
            }

            string model = StructuredOutputAimockFixture.ModelOf(provider);
            kit.AddModel("extractor", "p", model);
            kit.AddModel("stubborn", "p", StructuredOutputAimockFixture.ModelOf(provider, stubborn: true));
            kit.UseDefaultModel("extractor");
            kit.Configure(o =>
            {
                o.Resilience.MaxRetries = 0;
                if (emulated)
                {
                    o.Catalog[model] = new ModelCatalogEntryOptions { Provider = "p", Capabilities = ["Chat", "Streaming"] };
                }
            });
        });
        return (services.BuildServiceProvider(), ledger);
    }

    private static string NewTestId() => Guid.NewGuid().ToString("N");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponseAsyncOfT_ValidAnswer_ReturnsTheValidatedObjectOnTheNativePath(string provider)
    {
        string testId = NewTestId();
        var (sp, _) = Build(provider, testId);
        using var owner = sp;
        var chat = sp.GetRequiredService<IChatClient>();

        var response = await chat.GetResponseAsync<Invoice>("extract valid");

        Assert.Equal("INV-42", response.Result.Number);
        Assert.Equal(InvoiceStatus.Paid, response.Result.Status);
        Assert.Equal(5, Assert.Single(response.Result.Lines).Quantity);
        Assert.Equal(new StructuredOutputInfo(StructuredOutputPath.Native, 0), response.GetStructuredOutputInfo());
        Assert.Single(await aimock.RequestsAsync(testId));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponseAsyncOfT_JsonInAFenceAfterASentence_ReadsTheFencedObject(string provider)
    {
        var (sp, _) = Build(provider, NewTestId());
        using var owner = sp;
        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync<Invoice>("extract fenced");
        Assert.Equal("Ada Lovelace", response.Result.Customer);
        Assert.Equal(StructuredOutputAimockFixture.Valid, JsonSerializer.Serialize(JsonDocument.Parse(response.Text).RootElement));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponseAsyncOfT_InvalidThenValid_OneRepairRoundTwoLedgerRecordsUnderOneLogicalRequest(string provider)
    {
        string testId = NewTestId();
        var (sp, ledger) = Build(provider, testId);
        using var owner = sp;
        var options = new ChatOptions().WithLlmContext(new LlmRequestContext { RequestId = "req-" + testId });

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync<Invoice>("extract invalid", options);

        Assert.Equal(5, response.Result.Lines[0].Quantity);
        Assert.Equal(new StructuredOutputInfo(StructuredOutputPath.Native, 1), response.GetStructuredOutputInfo());
        var records = ledger.Records.ToArray();
        Assert.Equal(["req-" + testId, "req-" + testId], records.Select(r => r.CorrelationId));
        Assert.Equal(2, records.Select(r => r.RequestId).Distinct().Count());
        Assert.All(records, r => Assert.Equal("req-" + testId, r.Tags["llmkit.structured_output.request"]));
        Assert.Equal(["0", "1"], records.Select(r => r.Tags["llmkit.structured_output.round"]));

        // The repair request carries the model's answer and the exact validation errors.
        var requests = await aimock.RequestsAsync(testId);
        Assert.Equal(2, requests.Count);
        string repair = requests[1].GetRawText();
        Assert.Contains("$.lines[0].quantity", repair, StringComparison.Ordinal);
        Assert.Contains("$.status", repair, StringComparison.Ordinal);
        Assert.Contains("Lost", repair, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponseAsyncOfT_InvalidTwice_ThrowsListingEveryErrorTheRawTextAndTheRounds(string provider)
    {
        string testId = NewTestId();
        var (sp, ledger) = Build(provider, testId);
        using var owner = sp;

        var ex = await Assert.ThrowsAsync<StructuredOutputException>(
            () => sp.GetRequiredService<IChatClient>().GetResponseAsync<Invoice>("extract invalid", new ChatOptions { ModelId = "stubborn" }));

        Assert.Equal(1, ex.RepairRounds);
        Assert.Equal(StructuredOutputAimockFixture.Invalid, ex.RawText);
        Assert.Contains(ex.Errors, e => e.Path == "$.lines[0].quantity");
        Assert.Contains(ex.Errors, e => e.Path == "$.status");
        Assert.Equal(2, ledger.Records.Count);
        Assert.Equal(2, (await aimock.RequestsAsync(testId)).Count);
    }

    /// <summary>aimock sends a refusal (finish reason content_filter) in OpenAI's and Gemini's wire formats; its Anthropic and Ollama replies carry no refusal marker.</summary>
    [Theory]
    [InlineData("openai")]
    [InlineData("gemini")]
    public async Task GetResponseAsyncOfT_Refusal_IsItsOwnOutcomeAndNotRepaired(string provider)
    {
        string testId = NewTestId();
        var (sp, _) = Build(provider, testId);
        using var owner = sp;

        var ex = await Assert.ThrowsAsync<StructuredOutputRefusedException>(
            () => sp.GetRequiredService<IChatClient>().GetResponseAsync<Invoice>("extract refused"));

        Assert.Equal(StructuredOutputAimockFixture.Refusal, ex.RefusalText);
        Assert.Equal(LlmFailureKind.ContentPolicy, ex.FailureKind);
        Assert.Single(await aimock.RequestsAsync(testId));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetResponseAsyncOfT_ModelWithoutStructuredOutput_PutsTheSchemaInTheInstructions(string provider)
    {
        string testId = NewTestId();
        var (sp, _) = Build(provider, testId, emulated: true);
        using var owner = sp;

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync<Invoice>("extract fenced");

        Assert.Equal("INV-42", response.Result.Number);
        Assert.Equal(new StructuredOutputInfo(StructuredOutputPath.Emulated, 0), response.GetStructuredOutputInfo());
        // aimock's journal keeps the request in OpenAI's shape: no response format, the schema in the system text.
        var request = Assert.Single(await aimock.RequestsAsync(testId));
        Assert.False(request.TryGetProperty("response_format", out _));
        Assert.Contains("matches this JSON Schema", request.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsyncOfT_OpenAI_SendsTheSchemaRewrittenToStrictRules()
    {
        string testId = NewTestId();
        var (sp, _) = Build("openai", testId);
        using var owner = sp;
        await sp.GetRequiredService<IChatClient>().GetResponseAsync<Invoice>("extract valid", new ChatOptions().WithRepairRounds(0));

        var format = Assert.Single(await aimock.RequestsAsync(testId)).GetProperty("response_format").GetProperty("json_schema");
        Assert.True(format.GetProperty("strict").GetBoolean());
        var schema = format.GetProperty("schema");
        Assert.False(schema.TryGetProperty("$schema", out _));
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["number", "customer", "status", "total", "note", "lines"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var line = schema.GetProperty("properties").GetProperty("lines").GetProperty("items");
        Assert.False(line.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public async Task GetResponseAsync_OpenAIStrictWithAMap_ThrowsBeforeAnyCall()
    {
        string testId = NewTestId();
        var (sp, _) = Build("openai", testId);
        using var owner = sp;

        var ex = await Assert.ThrowsAsync<StructuredOutputSchemaException>(
            () => sp.GetRequiredService<IChatClient>().GetResponseAsync<Dictionary<string, int>>("extract valid"));

        Assert.Contains("map", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await aimock.RequestsAsync(testId));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task GetStreamingResponseAsyncOfT_StreamedObject_PartialStatesFillInOrderThenTheValidatedObject(string provider)
    {
        var (sp, _) = Build(provider, NewTestId());
        using var owner = sp;
        var states = new List<StructuredOutputStreamUpdate<Invoice>>();
        await foreach (var state in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync<Invoice>([new ChatMessage(ChatRole.User, "extract streamed")]))
        {
            states.Add(state);
        }

        // aimock streams 9 characters a chunk: the fields complete one after another, each state holding all earlier ones.
        Assert.True(states.Count > 5, $"only {states.Count} states");
        Assert.True(states[^1].IsFinal);
        Assert.All(states.SkipLast(1), s => Assert.False(s.IsFinal));
        var first = states[0].Value;
        Assert.Equal("INV-42", first.Number);
        Assert.Null(first.Customer);
        Assert.Null(first.Lines);
        Assert.Contains(states, s => s.Value.Customer == "Ada Lovelace" && s.Value.Lines is null);
        Assert.Contains(states, s => !s.IsFinal && s.Value.Lines is [{ Item: "pen", Quantity: 5, Price: 0m }]);
        for (int i = 1; i < states.Count; i++)
        {
            Assert.True(states[i].CompletedFields >= states[i - 1].CompletedFields);
            Assert.True(Filled(states[i].Value) >= Filled(states[i - 1].Value));
        }

        var final = states[^1].Value;
        Assert.Equal("Ada Lovelace", final.Customer);
        Assert.Equal(2.5m, final.Lines[0].Price);
        Assert.Equal(InvoiceStatus.Paid, final.Status);
    }

    private static int Filled(Invoice invoice)
        => (invoice.Number is null ? 0 : 1) + (invoice.Customer is null ? 0 : 1) + (invoice.Total == 0 ? 0 : 1)
            + (invoice.Lines?.Sum(l => 1 + (l.Quantity == 0 ? 0 : 1) + (l.Price == 0 ? 0 : 1)) ?? 0);
}
