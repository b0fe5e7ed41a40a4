using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Conversations;

public class DropOldestGroupsChatReducerTests
{
    private static readonly TiktokenTokenizer T = TiktokenTokenizer.O200kBase;

    // The cookbook's chat format, counted here from plain text counts: 3 per message, the role, the content; 3 to prime the reply.
    private static int Message(string role, string content) => 3 + T.CountTokens(role) + T.CountTokens(content);

    private const int Priming = 3;

    private static ChatMessage Sys(string text) => new(ChatRole.System, text);

    private static ChatMessage User(string text) => new(ChatRole.User, text);

    private static ChatMessage Bot(string text) => new(ChatRole.Assistant, text);

    [Fact]
    public async Task ReduceAsync_HistoryOverBudget_KeepsSystemAndNewestGroupsThatFitExactly()
    {
        var sys = Sys("You are a terse assistant.");
        var u1 = User("First question, about apples and their many varieties.");
        var a1 = Bot("Apples come in thousands of varieties.");
        var u2 = User("Second question: what about pears?");
        var a2 = Bot("Pears are fewer, but still many.");
        var u3 = User("Third question.");
        int budget = Priming + Message("system", sys.Text) + Message("user", u2.Text) + Message("assistant", a2.Text) + Message("user", u3.Text);
        var reducer = new DropOldestGroupsChatReducer(T, budget);

        var reduced = (await reducer.ReduceAsync([sys, u1, a1, u2, a2, u3])).ToList();

        Assert.Equal([sys, u2, a2, u3], reduced);
        Assert.Equal(budget, T.CountTokens(reduced));

        // One token less and the pair of the second question no longer fits: u2 goes (a2 stays, the newest groups are contiguous).
        var tighter = (await new DropOldestGroupsChatReducer(T, budget - 1).ReduceAsync([sys, u1, a1, u2, a2, u3])).ToList();
        Assert.Equal([sys, a2, u3], tighter);
    }

    [Fact]
    public async Task ReduceAsync_ToolCallWithResult_DroppedOrKeptTogether()
    {
        var sys = Sys("Use tools when needed.");
        var u1 = User("Weather in Paris?");
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]);
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 21 C")]);
        var answer = Bot("It is sunny and 21 C in Paris.");
        var u2 = User("Thanks!");
        int callCost = 3 + T.CountTokens("assistant") + T.CountTokens("get_weather") + T.CountTokens("{\"city\":\"Paris\"}");
        int resultCost = 3 + T.CountTokens("tool") + T.CountTokens("sunny, 21 C");
        int pinnedAndAnswer = Priming + Message("system", sys.Text) + Message("user", u2.Text) + Message("assistant", answer.Text);

        // Room for the tool result but not for its call: neither is kept.
        var withoutCall = (await new DropOldestGroupsChatReducer(T, pinnedAndAnswer + resultCost).ReduceAsync([sys, u1, call, result, answer, u2])).ToList();

        // Room for both: kept together.
        var withCall = (await new DropOldestGroupsChatReducer(T, pinnedAndAnswer + resultCost + callCost).ReduceAsync([sys, u1, call, result, answer, u2])).ToList();

        Assert.Equal([sys, answer, u2], withoutCall);
        Assert.Equal([sys, call, result, answer, u2], withCall);
        Assert.Equal(pinnedAndAnswer + resultCost + callCost, T.CountTokens(withCall));
    }

    [Fact]
    public async Task ReduceAsync_InstructionsAndToolsCount_AgainstTheBudget()
    {
        var u1 = User("An older message that takes some room.");
        var u2 = User("The newest message.");
        var options = new ChatOptions { Instructions = "Answer in French." };
        int instructions = 3 + T.CountTokens("system") + T.CountTokens("Answer in French.");
        int both = Priming + Message("user", u1.Text) + Message("user", u2.Text);

        var without = (await new DropOldestGroupsChatReducer(T, both).ReduceAsync([u1, u2])).ToList();
        var with = (await new DropOldestGroupsChatReducer(T, both, options).ReduceAsync([u1, u2])).ToList();
        var withRoom = (await new DropOldestGroupsChatReducer(T, both + instructions, options).ReduceAsync([u1, u2])).ToList();

        Assert.Equal([u1, u2], without);
        Assert.Equal([u2], with);
        Assert.Equal([u1, u2], withRoom);
    }

    [Fact]
    public async Task ReduceAsync_SystemAndNewestAloneOverBudget_ThrowsContextWindowExceeded()
    {
        var sys = Sys("A long system prompt with many words in it.");
        var u = User("Hello there.");
        int needed = Priming + Message("system", sys.Text) + Message("user", u.Text);

        var ex = await Assert.ThrowsAsync<ContextWindowExceededException>(() => new DropOldestGroupsChatReducer(T, needed - 1).ReduceAsync([sys, User("older"), u]));

        Assert.Equal(needed, ex.RequestedTokens);
        Assert.Contains("system", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReduceAsync_SystemMessageInTheMiddle_NeverDropped()
    {
        var u1 = User("old one");
        var note = Sys("A note the host put in the middle.");
        var u2 = User("old two");
        var u3 = User("newest");
        int budget = Priming + Message("system", note.Text) + Message("user", u3.Text);

        var reduced = (await new DropOldestGroupsChatReducer(T, budget).ReduceAsync([u1, note, u2, u3])).ToList();

        Assert.Equal([note, u3], reduced);
    }

    [Fact]
    public void Constructor_NonPositiveBudget_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropOldestGroupsChatReducer(T, 0));
        Assert.Throws<ArgumentNullException>(() => new DropOldestGroupsChatReducer(null!, 10));
    }
}
