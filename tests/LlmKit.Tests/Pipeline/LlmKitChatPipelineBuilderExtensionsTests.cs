using System.Collections.Concurrent;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmKit.Tests.Pipeline;

public sealed class LlmKitChatPipelineBuilderExtensionsTests
{
    [Fact]
    public async Task AddFirst_UseFunctionInvocation_InvokesToolFromScriptedToolCallThroughEveryStage()
    {
        var scripted = new ScriptedChatClient()
            .ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }, "call-1")
            .ReturnsText("It is sunny in Paris.");
        var provider = new RecordingChatClient(scripted);
        var cities = new List<string>();
        var weather = AIFunctionFactory.Create((string city) => { cities.Add(city); return "sunny"; }, "get_weather");
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddProvider("scripted", _ => provider)
            .AddModel("chat", "scripted", "gpt-4o-mini")
            .UseDefaultModel("chat")
            .Pipeline.Remove(PipelineStageNames.ToolLoop));
        // The host's own function invocation instead of LlmKit's tool loop stage.
        services.AddLlmKit(kit => kit.Pipeline.AddFirst("my-tool-loop", b => b.UseFunctionInvocation()));
        await using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather] });

        Assert.Equal("It is sunny in Paris.", response.Text);
        Assert.Equal(["Paris"], cities);
        Assert.NotNull(client.GetService<FunctionInvokingChatClient>());
        Assert.NotNull(client.GetService<TelemetryChatClient>());

        // The second round trip carried the tool's result through LlmKit's stages to the provider.
        Assert.Contains(provider.LastRequest!.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == "call-1");
    }

    [Fact]
    public async Task InsertAfter_UseLogging_WritesLogLineAtItsPosition()
    {
        var logs = new LogCapture();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddLlmKit(kit => kit
            .AddProvider("scripted", _ => new ScriptedChatClient().ReturnsText("hello"))
            .AddModel("chat", "scripted", "gpt-4o-mini")
            .UseDefaultModel("chat")
            .Pipeline.InsertAfter(PipelineStageNames.Telemetry, "meai-logging", b => b.UseLogging()));
        await using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<IChatClient>();

        Assert.Equal("hello", (await client.GetResponseAsync("hi")).Text);

        Assert.Contains(logs.Lines, l => l.Category.Contains(nameof(LoggingChatClient), StringComparison.Ordinal) && l.Message.Contains("GetResponseAsync", StringComparison.Ordinal));
        Assert.Equal(1, sp.GetRequiredService<LlmKitPipelineHolder>().Builder.StageNames.ToList().IndexOf("meai-logging"));
    }

    [Fact]
    public void Replace_WithNullReturningCallback_ThrowsConfigurationExceptionWhenBuilt()
    {
        var pipeline = new ChatPipelineBuilder().Add("stage", (_, inner) => inner);
        pipeline.Replace("stage", _ => null!);
        using var inner = new ScriptedChatClient();
        Assert.Throws<LlmKitConfigurationException>(() => pipeline.Build(inner, new ServiceCollection().BuildServiceProvider()));
    }

    internal sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Lines.Enqueue((category, formatter(state, exception)));
        }
    }
}
