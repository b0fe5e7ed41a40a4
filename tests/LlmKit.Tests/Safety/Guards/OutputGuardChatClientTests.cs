using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Safety;

public class OutputGuardChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_ModelOutputsPii_RedactedByOutputPolicyWhileRestoredInputIsKept()
    {
        using var h = new GuardHarness(
            ("LlmKit:Safety:Input:Rules:EMAIL:Action", "Anonymize"),
            ("LlmKit:Safety:Output:Rules:EMAIL:Action", "Redact"));
        h.Echo.Reply = "I will write to [EMAIL_1] and cc boss@example.com.";

        var response = await h.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, "mail ann@example.com")], GuardHarness.Options());

        Assert.Equal("I will write to ann@example.com and cc [EMAIL].", response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_ToolCallArguments_AreRestored()
    {
        using var h = new GuardHarness(("LlmKit:Safety:Input:Rules:EMAIL:Action", "Anonymize"));
        h.Echo.Reply = "sending";
        h.Echo.ToolCall = new FunctionCallContent("c1", "send_mail", new Dictionary<string, object?> { ["to"] = "[EMAIL_1]", ["count"] = 1 });

        var response = await h.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, "mail ann@example.com")], GuardHarness.Options());

        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal("ann@example.com", call.Arguments!["to"]);
        Assert.Equal(1, call.Arguments["count"]);
    }

    [Fact]
    public async Task GetResponseAsync_BlockedOutput_ThrowsAndTheCallIsStillMetered()
    {
        using var h = new GuardHarness(("LlmKit:Safety:WordLists:VIOLENCE:0", "kill"), ("LlmKit:Safety:Output:Rules:VIOLENCE:Action", "Block"));
        h.Echo.Reply = "I will kill the process.";

        var ex = await Assert.ThrowsAsync<ContentBlockedException>(() => h.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, "go")], GuardHarness.Options(requestId: "metered-1")));

        Assert.Equal(["VIOLENCE"], ex.FindingTypes);
        Assert.Equal(PipelineStageNames.OutputGuard, ex.BlockedBy);
        var totals = await h.Ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(7, totals.OutputTokens);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_LengthLimit_StopsTheStreamWithContentBlocked()
    {
        using var h = new GuardHarness(("LlmKit:Safety:Output:MaxCharacters", "10"));
        h.Echo.Reply = "abcdefghij-klmnopqrstuvwxyz";
        h.Echo.ChunkSize = 5;
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<ContentBlockedException>(async () =>
        {
            await foreach (var u in h.Chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "go")], GuardHarness.Options()))
            {
                received.Add(u.Text);
            }
        });

        Assert.Equal(["LENGTH_LIMIT"], ex.FindingTypes);
        Assert.True(string.Concat(received).Length <= 10);
    }

    [Fact]
    public async Task GetResponseAsync_Repetition_FlaggedWhenRuleSaysFlag()
    {
        using var h = new GuardHarness(("LlmKit:Safety:Output:MaxRepetitions", "3"), ("LlmKit:Safety:Output:Rules:REPETITION:Action", "Flag"));
        h.Echo.Reply = "ok ok ok ok ok";

        var response = await h.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, "go")], GuardHarness.Options());

        Assert.Equal("ok ok ok ok ok", response.Text);
        Assert.Equal("REPETITION", Assert.Single(h.Audit.Events).FindingType);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OutputPolicy_EvaluatesPerLineAndRedacts()
    {
        using var h = new GuardHarness(("LlmKit:Safety:Output:Rules:CREDIT_CARD:Action", "Redact"));
        h.Echo.Reply = "Your card:\n4111 1111 1111 1111\nthanks";
        h.Echo.ChunkSize = 3;

        var updates = await h.Chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "go")], GuardHarness.Options()).ToListAsync();

        Assert.Equal("Your card:\n[CREDIT_CARD]\nthanks", string.Concat(updates.Select(u => u.Text)));
    }
}
