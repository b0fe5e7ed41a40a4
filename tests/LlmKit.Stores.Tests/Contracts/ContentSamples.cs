using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// Messages holding Microsoft.Extensions.AI contents with metadata on messages and contents (<see cref="Messages"/>: the
/// common types, filled in by hand), one message more with an instance of every other type a caller can create
/// (<see cref="OtherTypesMessage"/>), and the reflection that finds and builds those types.
/// </summary>
internal static class ContentSamples
{
    public static readonly DateTimeOffset Time = new(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);

    public static IReadOnlyList<AIContent> Contents() =>
    [
        new TextContent("plain text") { AdditionalProperties = new() { ["lang"] = "en" } },
        new DataContent(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 255 }, "image/png") { Name = "pixel.png" },
        new DataContent("data:application/pdf;base64,JVBERi0xLjQ="),
        new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg"),
        new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 3 }),
        new FunctionResultContent("call_1", "sunny, 21 C"),
        new UsageContent(new UsageDetails
        {
            InputTokenCount = 100,
            OutputTokenCount = 20,
            TotalTokenCount = 120,
            CachedInputTokenCount = 40,
            ReasoningTokenCount = 5,
            AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = 10 },
        }),
        new TextReasoningContent("thinking it over") { ProtectedData = "c2lnbmF0dXJl" },
        new ErrorContent("the tool failed") { ErrorCode = "tool_error", Details = "timeout after 30 s" },
        new HostedFileContent("file_abc") { MediaType = "text/csv", Name = "data.csv" },
        new HostedVectorStoreContent("vs_123"),
        new ToolApprovalRequestContent("approval_1", new McpServerToolCallContent("mcp_1", "search_docs", "docs-server")),
        new WebSearchToolCallContent("ws_1"),
    ];

    public static IReadOnlyList<ConversationMessage> Messages()
    {
        var contents = Contents();
        return
        [
            new ConversationMessage
            {
                Message = new ChatMessage(ChatRole.System, "You are terse.") { MessageId = "s1", CreatedAt = Time },
            },
            new ConversationMessage
            {
                Message = new ChatMessage(ChatRole.User, [contents[0], contents[1], contents[2], contents[3]])
                {
                    MessageId = "u1",
                    CreatedAt = Time.AddSeconds(1),
                    AuthorName = "ana",
                    AdditionalProperties = new() { ["client"] = "web", ["attempt"] = 2 },
                },
                Status = ConversationMessageStatus.Failed,
            },
            new ConversationMessage
            {
                Message = new ChatMessage(ChatRole.Assistant, [contents[7], contents[4], contents[6]]) { MessageId = "a1", CreatedAt = Time.AddSeconds(2) },
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20, TotalTokenCount = 120, CachedInputTokenCount = 40 },
                Cost = new CallCost { Total = 0.00035m, Items = [new CostItem("input", 60, 2.5m, 0.00015m), new CostItem("cached_input", 40, 1.25m, 0.00005m), new CostItem("output", 20, 7.5m, 0.00015m)] },
                Model = "gpt-4o",
            },
            new ConversationMessage
            {
                Message = new ChatMessage(ChatRole.Tool, [contents[5]]) { MessageId = "t1", CreatedAt = Time.AddSeconds(3) },
            },
            new ConversationMessage
            {
                Message = new ChatMessage(ChatRole.Assistant, [contents[8], contents[9], contents[10], contents[11], contents[12]]) { MessageId = "a2", CreatedAt = Time.AddSeconds(4) },
                Cost = CallCost.Unknown("no price for model 'local-llama'"),
                Model = "local-llama",
            },
        ];
    }

    /// <summary>Serialises a message the way Microsoft.Extensions.AI does, to compare two messages completely.</summary>
    public static string Json(ChatMessage message) => JsonSerializer.Serialize(message, AIJsonUtilities.DefaultOptions);

    /// <summary>Every content type of Microsoft.Extensions.AI a caller can instantiate, by name.</summary>
    public static List<Type> CreatableTypes() => typeof(AIContent).Assembly.GetExportedTypes()
        .Where(IsCreatable)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>An assistant message holding one instance of every creatable content type that <see cref="Contents"/> does not hold.</summary>
    public static ConversationMessage OtherTypesMessage()
    {
        var covered = Contents().Select(c => c.GetType()).ToHashSet();
        var others = CreatableTypes().Where(t => !covered.Contains(t)).Select(Create).ToList();
        return new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, others) { MessageId = "others", CreatedAt = Time.AddSeconds(5) } };
    }

    /// <summary>A content type a caller can instantiate (types without a public constructor are only bases of others).</summary>
    public static bool IsCreatable(Type type)
        => typeof(AIContent).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Length > 0;

    /// <summary>Builds an instance of a content type through its public constructor with the fewest parameters.</summary>
    public static AIContent Create(Type type)
    {
        if (type == typeof(DataContent))
        {
            return new DataContent(new byte[] { 1, 2, 3 }, "application/octet-stream");
        }

        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderBy(c => c.GetParameters().Length).First();
        object?[] args = constructor.GetParameters().Select(p => Argument(p.ParameterType, p.Name!)).ToArray();
        return (AIContent)constructor.Invoke(args);
    }

    private static object? Argument(Type type, string name) => type switch
    {
        _ when type == typeof(string) && (name.Contains("uri", StringComparison.OrdinalIgnoreCase) || name.Contains("url", StringComparison.OrdinalIgnoreCase)) => "https://example.com/x",
        _ when type == typeof(string) => name.Contains("media", StringComparison.OrdinalIgnoreCase) ? "text/plain" : name + "_1",
        _ when type == typeof(Uri) => new Uri("https://example.com/x.txt"),
        _ when type == typeof(ReadOnlyMemory<byte>) => new ReadOnlyMemory<byte>([1, 2, 3]),
        _ when type == typeof(object) => "result",
        _ when type == typeof(UsageDetails) => new UsageDetails { InputTokenCount = 1 },
        _ when type == typeof(IDictionary<string, object?>) => new Dictionary<string, object?> { ["k"] = "v" },
        _ when type == typeof(IList<AIContent>) => new List<AIContent> { new TextContent("inner") },
        _ when typeof(AIContent).IsAssignableFrom(type) => Create(IsCreatable(type) ? type : typeof(AIContent).Assembly.GetExportedTypes().First(t => type.IsAssignableFrom(t) && IsCreatable(t))),
        _ when type.IsValueType => Activator.CreateInstance(type),
        _ => null,
    };
}
