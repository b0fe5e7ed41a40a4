using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LlmKit.Samples.WebApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace QuickStart.Tests;

/// <summary>samples/WebApi as a fresh machine runs it: no provider key, an empty SQLite file, the bootstrap key.</summary>
public sealed class WebApiSampleTests
{
    private const string BootstrapKey = "llmk_0123456789abcdef_bootstrap-secret-of-at-least-32-characters";

    [Fact]
    public async Task A_fresh_instance_answers_the_bootstrap_key_offline_serves_openapi_and_refuses_other_keys()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-webapi-{Guid.NewGuid():N}.db");
        await using var factory = new WebApplicationFactory<OfflineEmbeddingGenerator>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:LlmKit", "Data Source=" + db)
            .UseSetting("OPENAI_API_KEY", string.Empty)
            .UseSetting("LLMKIT_BOOTSTRAP_API_KEY", BootstrapKey)
            .UseSetting("WebApi:ApiReference", "true"));
        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);

        var models = await http.GetFromJsonAsync<JsonElement>("v1/models");
        using var chat = await http.PostAsync("v1/chat/completions", new StringContent("""{"model":"smart","messages":[{"role":"user","content":"hello offline"}]}""", System.Text.Encoding.UTF8, "application/json"));
        var answer = await chat.Content.ReadFromJsonAsync<JsonElement>();
        var openApi = await http.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        using var reference = await http.GetAsync("scalar/v1");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "llmk_fedcba9876543210_someone-else-entirely-0123456789");
        using var stranger = await http.GetAsync("v1/models");

        Assert.Equal(["cheap", "smart"], models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/chat/completions", paths);
        Assert.Contains("/v1/embeddings", paths);
        Assert.Contains("/v1/models", paths);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        var stored = await new LlmKit.SqliteApiKeyStore("Data Source=" + db).ListAsync();
        Assert.Equal("bootstrap", Assert.Single(stored).TenantId);
    }
}
