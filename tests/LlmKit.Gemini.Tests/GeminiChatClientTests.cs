using System.Net;
using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests;

/// <summary>Construction, addresses, headers, services and failures of the HTTP call itself.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class GeminiChatClientTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];

    [Fact]
    public void Constructor_NullOptions_Throws()
        => Assert.Throws<ArgumentNullException>(() => new GeminiChatClient(null!));

    [Fact]
    public void Constructor_NoKeyAnywhere_ThrowsConfigurationExceptionNamingOptionAndVariables()
    {
        using var env = new EnvironmentScope(("GEMINI_API_KEY", null), ("GOOGLE_API_KEY", null));

        var ex = Assert.Throws<LlmKitConfigurationException>(() => new GeminiChatClient(new GeminiClientOptions()));

        Assert.Contains("GeminiClientOptions.ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GEMINI_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LlmKit:Providers:<name>:ApiKey", ex.Keys);
    }

    [Theory]
    [InlineData("from-gemini-variable", "ignored-google-variable", "from-gemini-variable")]
    [InlineData(null, "from-google-variable", "from-google-variable")]
    [InlineData("  ", "from-google-variable", "from-google-variable")]
    public async Task ApiKey_FromEnvironment_GeminiVariableFirstThenGoogle(string? gemini, string? google, string expected)
    {
        using var env = new EnvironmentScope(("GEMINI_API_KEY", gemini), ("GOOGLE_API_KEY", google));
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = new GeminiChatClient(new GeminiClientOptions { DefaultModel = "gemini-2.5-flash" }, new HttpClient(handler));

        await client.GetResponseAsync(Hello);

        Assert.Equal(expected, handler.LastRequest.Headers["x-goog-api-key"]);
    }

    [Fact]
    public async Task GetResponseAsync_Request_PostsToGenerateContentWithTheKeyInAHeaderOnly()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);

        await client.GetResponseAsync(Hello);

        var request = handler.LastRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", request.Uri.AbsoluteUri);
        Assert.Equal(TestClients.ApiKey, request.Headers["x-goog-api-key"]);
        Assert.DoesNotContain(TestClients.ApiKey, request.Uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Empty(request.Uri.Query);
        Assert.Equal("application/json", request.Headers["Accept"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Request_UsesStreamGenerateContentWithAltSse()
    {
        var handler = FakeHttpHandler.Fixture("stream-text.sse");
        using var client = TestClients.Chat(handler);

        await TestClients.CollectAsync(client.GetStreamingResponseAsync(Hello, new ChatOptions { ModelId = "gemini-2.5-pro" }));

        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", handler.LastRequest.Uri.AbsoluteUri);
        Assert.Equal("text/event-stream", handler.LastRequest.Headers["Accept"]);
        Assert.DoesNotContain("key=", handler.LastRequest.Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_BaseUrlVersionAndHeaders_AreUsed()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        var options = TestClients.Options();
        options.BaseUrl = new Uri("http://localhost:8080/gemini-proxy");
        options.ApiVersion = "v1";
        options.Headers["x-goog-user-project"] = "my-project";
        options.Headers["x-goog-api-key"] = "override-by-header";
        using var client = TestClients.Chat(handler, options);

        await client.GetResponseAsync(Hello);

        Assert.Equal("http://localhost:8080/gemini-proxy/v1/models/gemini-2.5-flash:generateContent", handler.LastRequest.Uri.AbsoluteUri);
        Assert.Equal("my-project", handler.LastRequest.Headers["x-goog-user-project"]);
        Assert.Equal("override-by-header", handler.LastRequest.Headers["x-goog-api-key"]);
    }

    [Theory]
    [InlineData("gemini/gemini-2.5-pro", "models/gemini-2.5-pro")]
    [InlineData("models/gemini-2.0-flash", "models/gemini-2.0-flash")]
    [InlineData("tunedModels/my-tuned-1", "tunedModels/my-tuned-1")]
    public async Task Model_PrefixedNames_MapToTheirResource(string model, string resource)
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);

        await client.GetResponseAsync(Hello, new ChatOptions { ModelId = model });

        Assert.Equal($"https://generativelanguage.googleapis.com/v1beta/{resource}:generateContent", handler.LastRequest.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Model_NoneGivenAndNoDefault_ThrowsConfigurationException()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler, TestClients.Options(model: null));

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => client.GetResponseAsync(Hello));

        Assert.Contains("DefaultModel", ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void GetService_KnownServices_AreReturned()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture("generate-text.json"));

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("gcp.gemini", metadata.ProviderName);
        Assert.Equal(new Uri("https://generativelanguage.googleapis.com/"), metadata.ProviderUri);
        Assert.Equal("gemini-2.5-flash", metadata.DefaultModelId);
        Assert.Same(client, client.GetService<IExactTokenCounter>());
        Assert.Same(client, client.GetService<GeminiChatClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        Assert.Null(client.GetService<IExactTokenCounter>("some-key"));
        Assert.Null(client.GetService<ITokenCounter>());
    }

    [Fact]
    public async Task CountTokensAsync_ThroughGetService_ReturnsTotalTokens()
    {
        var handler = FakeHttpHandler.Fixture("count-tokens.json");
        using IChatClient client = TestClients.Chat(handler);

        int count = await client.GetRequiredService<IExactTokenCounter>().CountTokensAsync(Hello);

        Assert.Equal(31, count);
    }

    [Fact]
    public async Task CountTokensAsync_AnswerWithoutTotal_ThrowsResponseParseException()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Bytes("""{"promptTokensDetails":[]}"""u8.ToArray()));

        await Assert.ThrowsAsync<ResponseParseException>(() => client.CountTokensAsync(Hello));
    }

    [Fact]
    public async Task CountTokensAsync_HttpError_IsMapped()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture("errors/404-not-found.json", HttpStatusCode.NotFound));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.CountTokensAsync(Hello));

        Assert.Equal(LlmFailureKind.NotFound, ex.FailureKind);
    }

    [Fact]
    public async Task Dispose_GivenHttpClient_LeavesItUsable()
    {
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        var http = new HttpClient(handler);
        var client = new GeminiChatClient(TestClients.Options(), http);

        client.Dispose();

        using var response = await http.GetAsync(new Uri("http://localhost/ping"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CallerCancellation_BeforeTheAnswer_IsOperationCanceled()
    {
        var handler = new FakeHttpHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = TestClients.Chat(handler);
        using var cts = new CancellationTokenSource();

        var call = client.GetResponseAsync(Hello, cancellationToken: cts.Token);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.IsNotAssignableFrom<LlmKitException>(ex);
    }

    [Fact]
    public async Task CallerCancellation_DuringAStream_IsOperationCanceled()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture("stream-text.sse"));
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Hello, cancellationToken: cts.Token))
            {
                await cts.CancelAsync();
            }
        });
    }

    [Fact]
    public async Task HttpClientTimeout_NotTheCallersToken_IsTimeoutProviderException()
    {
        var handler = new FakeHttpHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new GeminiChatClient(TestClients.Options(), new HttpClient(handler) { Timeout = TimeSpan.FromMilliseconds(50) });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task NetworkFailure_ConnectionRefused_IsNetworkProviderException()
    {
        var handler = new FakeHttpHandler((_, _) => throw new HttpRequestException("Connection refused (generativelanguage.googleapis.com:443)"));
        using var client = TestClients.Chat(handler);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task NetworkFailure_WhileReadingTheBody_IsNetworkProviderException()
    {
        byte[] half = Fixtures.Bytes("generate-text.json")[..40];
        using var client = TestClients.Chat(FakeHttpHandler.Stream(() => new BrokenStream(half), "application/json"));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
    }
}

/// <summary>Tests that change process environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "environment";
}

/// <summary>Sets environment variables and puts the old values back.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly (string Name, string? Value)[] _saved;

    public EnvironmentScope(params (string Name, string? Value)[] values)
    {
        _saved = values.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
        foreach (var (name, value) in values)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
