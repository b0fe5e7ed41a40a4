using LlmKit;
using LlmKit.Samples.WebApi;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
string database = builder.Configuration.GetConnectionString("LlmKit") ?? "Data Source=llmkit-webapi.db";
bool online = !string.IsNullOrEmpty(builder.Configuration["OPENAI_API_KEY"]);
builder.Services.AddLlmKit(builder.Configuration, kit =>
{
    if (online)
    {
        kit.AddOpenAI()                                            // key from OPENAI_API_KEY
            .AddModel("smart", "openai", "gpt-4.1")
            .AddModel("cheap", "openai", "gpt-4.1-mini");
    }
    else
    {
        // No provider key: an offline model, so `dotnet run` answers on a fresh machine.
        kit.AddProvider("offline", sp => new OfflineChatClient(sp.GetService<TimeProvider>()))
            .AddModel("smart", "offline", OfflineChatClient.ModelId)
            .AddModel("cheap", "offline", OfflineChatClient.ModelId);
    }

    kit.UseDefaultModel("smart").UseSqliteStores(database);
});
builder.Services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>("embed", new OfflineEmbeddingGenerator());
builder.Services.AddLlmKitApi(api => api.RequestsPerMinute = 600);
builder.Services.AddOpenApi();

var app = builder.Build();
await BootstrapKey.AddWhenStoreIsEmptyAsync(app.Services, app.Configuration["LLMKIT_BOOTSTRAP_API_KEY"]);
app.MapOpenApi();                                                  // /openapi/v1.json
if (app.Configuration.GetValue("WebApi:ApiReference", app.Environment.IsDevelopment()))
{
    app.MapScalarApiReference();                                   // /scalar/v1
}

app.MapLlmKitOpenAI();                                             // /v1/chat/completions, /v1/embeddings, /v1/models
app.Run();
