using System.Net;
using System.Text.Json;

namespace LlmKit.Tests.AspNetCore;

public sealed class EmbeddingsAndModelsEndpointTests
{
    [Fact]
    public async Task Embeddings_answer_in_OpenAIs_list_format_with_floats_and_usage()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/embeddings", """{"model":"embed","input":["ab cd","xyz"],"dimensions":3}""", key.Key));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonShape.AssertMatches("embeddings.json", body);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal("embed", root.GetProperty("model").GetString());
        var data = root.GetProperty("data");
        Assert.Equal([5f, 'a', 0.5f], data[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal(1, data[1].GetProperty("index").GetInt32());
        Assert.Equal(3, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var call = Assert.Single(host.Embeddings.Calls);
        Assert.Equal(["ab cd", "xyz"], call.Inputs);
        Assert.Equal(3, call.Options?.Dimensions);
    }

    [Fact]
    public async Task Embeddings_in_base64_are_little_endian_float32()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();

        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/embeddings", """{"model":"embed","input":"hi","encoding_format":"base64"}""", key.Key));
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        byte[] bytes = Convert.FromBase64String(root.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(12, bytes.Length);
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 0));
        Assert.Equal('h', BitConverter.ToSingle(bytes, 4));
        Assert.Equal(0.5f, BitConverter.ToSingle(bytes, 8));
    }

    [Theory]
    [InlineData("""{"model":"nope","input":"hi"}""", 404, "model_not_found")]
    [InlineData("""{"model":"embed"}""", 400, "missing_required_parameter")]
    [InlineData("""{"model":"embed","input":[1,2,3]}""", 422, "unsupported_value")]
    [InlineData("""{"model":"embed","input":{"text":"hi"}}""", 400, "invalid_type")]
    [InlineData("""{"model":"embed","input":"hi","encoding_format":"int8"}""", 400, "invalid_value")]
    public async Task Bad_embedding_requests_get_their_status_and_reach_no_generator(string body, int expected, string code)
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();

        var (status, error) = await OpenAIEndpointErrorTests.SendAsync(host, OpenAIEndpointHost.Post("v1/embeddings", body, key.Key));

        Assert.Equal(expected, (int)status);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Empty(host.Embeddings.Calls);
    }

    [Fact]
    public async Task A_chat_only_key_may_not_embed()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat] });

        var (status, error) = await OpenAIEndpointErrorTests.SendAsync(host, OpenAIEndpointHost.Post("v1/embeddings", """{"model":"embed","input":"hi"}""", key.Key));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("missing_scope", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Models_lists_the_logical_models_and_only_those_the_key_may_use()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var all = await host.CreateKeyAsync();
        var limited = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], AllowedModels = ["CHEAP"] });

        using var allResponse = await host.Http.SendAsync(OpenAIEndpointHost.Get("v1/models", all.Key));
        string allBody = await allResponse.Content.ReadAsStringAsync();
        using var limitedResponse = await host.Http.SendAsync(OpenAIEndpointHost.Get("v1/models", limited.Key));
        string limitedBody = await limitedResponse.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, allResponse.StatusCode);
        JsonShape.AssertMatches("models.json", allBody);
        var ids = JsonDocument.Parse(allBody).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["cheap", "smart"], ids);
        Assert.Equal("scripted", JsonDocument.Parse(allBody).RootElement.GetProperty("data")[0].GetProperty("owned_by").GetString());
        Assert.Equal(["cheap"], JsonDocument.Parse(limitedBody).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task One_model_is_described_or_404_when_unknown_or_not_allowed()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var limited = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], AllowedModels = ["cheap"] });

        using var found = await host.Http.SendAsync(OpenAIEndpointHost.Get("v1/models/cheap", limited.Key));
        var (hidden, hiddenError) = await OpenAIEndpointErrorTests.SendAsync(host, OpenAIEndpointHost.Get("v1/models/smart", limited.Key));
        var (unknown, _) = await OpenAIEndpointErrorTests.SendAsync(host, OpenAIEndpointHost.Get("v1/models/nope", limited.Key));
        var (anonymous, _) = await OpenAIEndpointErrorTests.SendAsync(host, OpenAIEndpointHost.Get("v1/models", null));

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("model", JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, hidden);
        Assert.Equal("model_not_found", hiddenError.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
    }
}
