using System.Text;
using System.Text.Json;
using LlmKit.Stores.Tests.Contracts;
using Microsoft.Extensions.AI;

namespace LlmKit.Stores.Tests.Conversations;

public sealed class ConversationJsonTests
{
    private static Conversation Sample() => new()
    {
        Id = "c1",
        Title = "All the contents",
        TenantId = "acme",
        UserId = "u1",
        Tags = ["a", "b"],
        Metadata = new Dictionary<string, string> { ["summary"] = "so far", ["facts"] = "[\"likes tea\"]" },
        CreatedAt = ContentSamples.Time,
        UpdatedAt = ContentSamples.Time.AddMinutes(1),
        Model = "gpt-4o",
        InputTokens = 100,
        OutputTokens = 20,
        CostUsd = 0.00035m,
        AuxiliaryInputTokens = 40,
        AuxiliaryOutputTokens = 6,
        AuxiliaryCostUsd = 0.0000125m,
        AuxiliaryUnknownCostCalls = 2,
        Version = 7,
        MessageCount = 5,
        Messages = ContentSamples.Messages(),
    };

    [Fact]
    public void SerializeThenDeserialize_EveryField_RoundTrips()
    {
        var original = Sample();

        var back = Assert.Single(ConversationJson.Deserialize(ConversationJson.Serialize([original])));

        var none = new Dictionary<string, string>();
        Assert.Equal(original with { Messages = [], Tags = [], Metadata = none }, back with { Messages = [], Tags = [], Metadata = none });
        Assert.Equal(original.Tags, back.Tags);
        Assert.Equal(original.Metadata, back.Metadata);
        Assert.Equal(original.Messages.Count, back.Messages.Count);
        for (int i = 0; i < original.Messages.Count; i++)
        {
            var (a, b) = (original.Messages[i], back.Messages[i]);
            Assert.Equal(ContentSamples.Json(a.Message), ContentSamples.Json(b.Message));
            Assert.Equal(a.Message.Contents.Select(c => c.GetType()), b.Message.Contents.Select(c => c.GetType()));
            Assert.Equal(a.Status, b.Status);
            Assert.Equal(a.Model, b.Model);
            Assert.Equal(a.Cost?.Total, b.Cost?.Total);
            Assert.Equal(a.Cost?.UnknownReason, b.Cost?.UnknownReason);
            Assert.Equal(a.Cost?.Items ?? [], b.Cost?.Items ?? []);
            Assert.Equal(a.Usage?.InputTokenCount, b.Usage?.InputTokenCount);
            Assert.Equal(a.Usage?.CachedInputTokenCount, b.Usage?.CachedInputTokenCount);
        }
    }

    [Fact]
    public void SerializeThenDeserialize_TypedContentValues_AreRestored()
    {
        var back = Assert.Single(ConversationJson.Deserialize(ConversationJson.Serialize([Sample()])));

        var user = back.Messages[1].Message;
        var image = Assert.IsType<DataContent>(user.Contents[1]);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 255 }, image.Data.ToArray());
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal("pixel.png", image.Name);
        Assert.Equal(new Uri("https://example.com/cat.jpg"), Assert.IsType<UriContent>(user.Contents[3]).Uri);
        Assert.Equal("ana", user.AuthorName);
        Assert.Equal("web", ((JsonElement)user.AdditionalProperties!["client"]!).GetString());
        var call = Assert.IsType<FunctionCallContent>(back.Messages[2].Message.Contents[1]);
        Assert.Equal(("call_1", "get_weather"), (call.CallId, call.Name));
        Assert.Equal("Paris", ((JsonElement)call.Arguments!["city"]!).GetString());
        var usage = Assert.IsType<UsageContent>(back.Messages[2].Message.Contents[2]).Details;
        Assert.Equal(10, usage.AdditionalCounts![LlmUsageKeys.CacheWriteInputTokens]);
        Assert.Equal("c2lnbmF0dXJl", Assert.IsType<TextReasoningContent>(back.Messages[2].Message.Contents[0]).ProtectedData);
        Assert.Equal("call_1", Assert.IsType<FunctionResultContent>(back.Messages[3].Message.Contents[0]).CallId);
        var error = Assert.IsType<ErrorContent>(back.Messages[4].Message.Contents[0]);
        Assert.Equal(("tool_error", "timeout after 30 s"), (error.ErrorCode, error.Details));
        Assert.Equal("file_abc", Assert.IsType<HostedFileContent>(back.Messages[4].Message.Contents[1]).FileId);
        Assert.Equal("vs_123", Assert.IsType<HostedVectorStoreContent>(back.Messages[4].Message.Contents[2]).VectorStoreId);
        var approval = Assert.IsType<ToolApprovalRequestContent>(back.Messages[4].Message.Contents[3]);
        Assert.Equal("search_docs", Assert.IsType<McpServerToolCallContent>(approval.ToolCall).Name);
    }

    [Fact]
    public void Serialize_EveryPublicContentTypeOfMicrosoftExtensionsAI_RoundTripsWithItsType()
    {
        var types = ContentSamples.CreatableTypes();

        Assert.True(types.Count >= 20, $"only {types.Count} content types found");
        foreach (var type in types)
        {
            AIContent content;
            try
            {
                content = ContentSamples.Create(type);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"Cannot build a {type.Name} for the test: {ex.Message}", ex);
            }

            var message = new ConversationMessage { Message = new ChatMessage(ChatRole.Assistant, [content]) { MessageId = "m" } };

            var back = ConversationJson.DeserializeMessage(ConversationJson.SerializeMessage(message));

            var restored = Assert.Single(back.Message.Contents);
            Assert.Equal(type, restored.GetType());
            Assert.Equal(ContentSamples.Json(message.Message), ContentSamples.Json(back.Message));
        }
    }

    [Theory]
    [InlineData("this is not json", "$", "line 1")]
    [InlineData("null", "$", "JSON null")]
    [InlineData("""{"format":"something.else","version":1,"conversations":[]}""", "$.format", "something.else")]
    [InlineData("""{"format":"llmkit.conversations","version":2,"conversations":[]}""", "$.version", "version 2")]
    [InlineData("""{"format":"llmkit.conversations","version":1}""", "$.conversations", "no \"conversations\"")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"title":"x"}]}""", "$.conversations[0].id", "no \"id\"")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a"},{"id":"a"}]}""", "$.conversations[1].id", "twice")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a","messages":[{"sequence":1}]}]}""", "$.conversations[0].messages[0].message", "no \"message\"")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a","messages":[{"message":{"role":"user","contents":[{"$type":"hologram"}]}}]}]}""", "$.conversations[0].messages[0].message.contents", "hologram")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a","createdAt":"yesterday"}]}""", "$.conversations[0].createdAt", "line 1")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a","messages":[{"message":{"role":"user","messageId":"m"}},{"message":{"role":"user","messageId":"m"}}]}]}""", "$.conversations[0].messages[1]", "twice")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a","messages":[{"message":{"role":"user"}}""", "$.conversations[0].messages", "line 1")]
    [InlineData("""{"format":"llmkit.conversations","version":1,"conversations":[{"id":"a","auxiliaryCostUsd":-0.5}]}""", "$.conversations[0]", "negative auxiliary total")]
    public void Deserialize_CorruptDocument_ThrowsFormatExceptionSayingWhatAndWhere(string json, string location, string what)
    {
        var ex = Assert.Throws<ConversationFormatException>(() => ConversationJson.Deserialize(json));

        Assert.StartsWith(location, ex.Location, StringComparison.Ordinal);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<LlmKitException>(ex);
    }

    [Fact]
    public async Task DeserializeAsync_InvalidUtf8_ThrowsFormatException()
    {
        using var stream = new MemoryStream([(byte)'{', 0xFF, 0xFE, (byte)'}']);

        await Assert.ThrowsAsync<ConversationFormatException>(() => ConversationJson.DeserializeAsync(stream));
    }

    [Fact]
    public async Task SerializeAsync_ThenDeserializeAsync_RoundTripsThroughAStream()
    {
        using var stream = new MemoryStream();
        await ConversationJson.SerializeAsync(stream, [Sample(), new Conversation { Id = "c2" }]);
        stream.Position = 0;

        var back = await ConversationJson.DeserializeAsync(stream);

        Assert.Equal(["c1", "c2"], back.Select(c => c.Id));
        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"format\": \"llmkit.conversations\"", text, StringComparison.Ordinal);
        Assert.Contains("\"$type\": \"functionCall\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DeserializeMessage_Corrupt_ThrowsFormatException()
    {
        Assert.Throws<ConversationFormatException>(() => ConversationJson.DeserializeMessage("{\"status\":\"Completed\"}"));
        Assert.Throws<ConversationFormatException>(() => ConversationJson.DeserializeMessage("{\"message\":{\"role\":\"user\"},\"status\":\"Exploded\"}"));
        Assert.Throws<ArgumentNullException>(() => ConversationJson.SerializeMessage(null!));
    }
}
