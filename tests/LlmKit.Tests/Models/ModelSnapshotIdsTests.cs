namespace LlmKit.Tests.Models;

public class ModelSnapshotIdsTests
{
    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("gemini-2.0-flash-001", "gemini-2.0-flash")]
    [InlineData("gemini/gemini-2.0-flash-001", "gemini/gemini-2.0-flash")]
    [InlineData("o3-2025-04-16", "o3")]
    public void TryGetBaseId_SnapshotSuffix_IsTakenOff(string id, string expected)
    {
        Assert.True(ModelSnapshotIds.TryGetBaseId(id, out string? baseId));
        Assert.Equal(expected, baseId);
    }

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4o-2024-13-06")]
    [InlineData("claude-3-haiku-20240230")]
    [InlineData("gpt-4-0613")]
    [InlineData("mistral-large-2411")]
    [InlineData("-001")]
    [InlineData("2024-08-06")]
    [InlineData("gemini-2.0-flash-01")]
    public void TryGetBaseId_NoRealSnapshotSuffix_IsNotResolved(string id)
    {
        Assert.False(ModelSnapshotIds.TryGetBaseId(id, out _));
    }
}
