using System.ClientModel;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAIChat = global::OpenAI.Chat;
using OpenAIClient = global::OpenAI.OpenAIClient;
using OpenAIClientOptions = global::OpenAI.OpenAIClientOptions;

namespace LlmKit.Tests.AspNetCore;

/// <summary>
/// End to end with clients no one here wrote: the official OpenAI .NET SDK (package OpenAI) and the npm <c>openai</c>
/// package, pointed at a real Kestrel server hosting <c>MapLlmKitOpenAI()</c>.
/// </summary>
public sealed class OfficialOpenAIClientTests
{
    public const string NpmOpenAIVersion = "7.55.0";
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    [Fact]
    public async Task The_dotnet_SDK_chats_streams_calls_tools_embeds_lists_models_and_sees_errors()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        var client = new OpenAIClient(new ApiKeyCredential(key.Key), new OpenAIClientOptions { Endpoint = host.OpenAIBase });
        var chat = client.GetChatClient("smart");

        host.Provider.ReturnsText("Hello from LlmKit", new UsageDetails { InputTokenCount = 5, OutputTokenCount = 3, TotalTokenCount = 8 });
        OpenAIChat.ChatCompletion completion = await chat.CompleteChatAsync([new OpenAIChat.UserChatMessage("Hi")]);
        Assert.Equal("Hello from LlmKit", completion.Content[0].Text);
        Assert.Equal(OpenAIChat.ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(8, completion.Usage.TotalTokenCount);

        host.Provider.StreamsChunks(["Str", "eam"], usage: new UsageDetails { InputTokenCount = 2, OutputTokenCount = 2, TotalTokenCount = 4 });
        var text = new System.Text.StringBuilder();
        OpenAIChat.ChatTokenUsage? streamedUsage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new OpenAIChat.UserChatMessage("Hi")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            streamedUsage = update.Usage ?? streamedUsage;
        }

        Assert.Equal("Stream", text.ToString());
        Assert.Equal(4, streamedUsage?.TotalTokenCount);

        host.Provider.ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" }, "call_w");
        var tool = OpenAIChat.ChatTool.CreateFunctionTool("get_weather", "Gets the weather.", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        var options = new OpenAIChat.ChatCompletionOptions { Tools = { tool } };
        OpenAIChat.ChatCompletion toolCompletion = await chat.CompleteChatAsync([new OpenAIChat.UserChatMessage("Weather?")], options);
        Assert.Equal(OpenAIChat.ChatFinishReason.ToolCalls, toolCompletion.FinishReason);
        var call = Assert.Single(toolCompletion.ToolCalls);
        Assert.Equal(("call_w", "get_weather"), (call.Id, call.FunctionName));
        Assert.Equal("Oslo", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("city").GetString());

        var embeddings = await client.GetEmbeddingClient("embed").GenerateEmbeddingsAsync(["one two", "three"]);
        Assert.Equal(2, embeddings.Value.Count);
        Assert.Equal([7f, 'o', 0.5f], embeddings.Value[0].ToFloats().ToArray());

        var models = await client.GetOpenAIModelClient().GetModelsAsync();
        Assert.Equal(["cheap", "smart"], models.Value.Select(m => m.Id).OrderBy(m => m, StringComparer.Ordinal));

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => client.GetChatClient("nope").CompleteChatAsync([new OpenAIChat.UserChatMessage("Hi")]));
        Assert.Equal(404, unknown.Status);
        var wrongKey = new OpenAIClient(new ApiKeyCredential("llmk_0000000000000000_nope"), new OpenAIClientOptions { Endpoint = host.OpenAIBase });
        var unauthorized = await Assert.ThrowsAsync<ClientResultException>(() => wrongKey.GetChatClient("smart").CompleteChatAsync([new OpenAIChat.UserChatMessage("Hi")]));
        Assert.Equal(401, unauthorized.Status);
    }

    [Fact]
    public async Task The_npm_openai_package_chats_streams_calls_tools_embeds_lists_models_and_sees_errors()
    {
        string modules = await EnsureNpmOpenAIAsync();
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync();
        host.Provider.ReturnsText("Hello from LlmKit", new UsageDetails { InputTokenCount = 5, OutputTokenCount = 3, TotalTokenCount = 8 });
        host.Provider.StreamsChunks(["Str", "eam"], usage: new UsageDetails { InputTokenCount = 2, OutputTokenCount = 2, TotalTokenCount = 4 });
        host.Provider.ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" }, "call_w");
        string script = Path.Combine(AppContext.BaseDirectory, "AspNetCore", "Fixtures", "openai-npm-client.mjs");

        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.Environment["NODE_PATH"] = modules;
        info.Environment["LLMKIT_OPENAI_MODULE"] = Path.Combine(modules, "openai", "index.mjs");
        info.Environment["LLMKIT_BASE_URL"] = host.OpenAIBase.ToString();
        info.Environment["LLMKIT_API_KEY"] = key.Key;
        using var node = Process.Start(info) ?? throw new InvalidOperationException("node could not be started; install Node.js 20 or later.");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        string output = await stdout;

        Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await stderr}\n{output}");
        var results = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Hello from LlmKit", results.GetProperty("chat").GetString());
        Assert.Equal(8, results.GetProperty("chatTotalTokens").GetInt32());
        Assert.Equal("Stream", results.GetProperty("stream").GetString());
        Assert.Equal(4, results.GetProperty("streamTotalTokens").GetInt32());
        Assert.Equal("get_weather", results.GetProperty("toolName").GetString());
        Assert.Equal("Oslo", JsonDocument.Parse(results.GetProperty("toolArguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal([7f, 'o', 0.5f], results.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal(["cheap", "smart"], results.GetProperty("models").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(404, results.GetProperty("unknownModelStatus").GetInt32());
        Assert.Equal("model_not_found", results.GetProperty("unknownModelCode").GetString());
        Assert.Equal(401, results.GetProperty("wrongKeyStatus").GetInt32());
    }

    /// <summary>Installs the npm openai package into a cache folder on first use (as AimockServer does for aimock).</summary>
    private static async Task<string> EnsureNpmOpenAIAsync()
    {
        string root = Environment.GetEnvironmentVariable("LLMKIT_NPM_OPENAI_DIR")
            ?? Path.Combine(Path.GetTempPath(), "llmkit-npm-openai", NpmOpenAIVersion);
        string modules = Path.Combine(root, "node_modules");
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(modules, "openai", "package.json")))
            {
                return modules;
            }

            Directory.CreateDirectory(root);
            var info = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
            foreach (var arg in new[] { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", root, $"openai@{NpmOpenAIVersion}" })
            {
                info.ArgumentList.Add(arg);
            }

            using var npm = Process.Start(info) ?? throw new InvalidOperationException("npm could not be started; install Node.js 20 or later.");
            string stderr = await npm.StandardError.ReadToEndAsync();
            await npm.StandardOutput.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0 || !File.Exists(Path.Combine(modules, "openai", "package.json")))
            {
                throw new InvalidOperationException($"npm install openai@{NpmOpenAIVersion} failed ({npm.ExitCode}): {stderr}");
            }

            return modules;
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
