using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Conversations;

public class KeywordRecallTests
{
    [Fact]
    public void Keywords_Text_LowerCasedWordsOfThreeOrMoreWithoutStopWords()
    {
        var words = KeywordRecall.Keywords("What is MY Locker-code? The code is 4711, ok.");

        Assert.Equal(new HashSet<string> { "locker", "code", "4711" }, words);
    }

    [Fact]
    public void Rank_Candidates_MostSharedKeywordsFirstNewestOnTiesOnlyUserAndAssistantText()
    {
        var a = new ChatMessage(ChatRole.User, "locker at the gym");
        var b = new ChatMessage(ChatRole.Assistant, "your locker code is 4711");
        var c = new ChatMessage(ChatRole.User, "gym opens at six");
        var d = new ChatMessage(ChatRole.User, "nothing relevant");
        var tool = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("x", "locker code gym")]);
        var system = new ChatMessage(ChatRole.System, "locker code gym");

        var ranked = KeywordRecall.Rank([a, b, c, d, tool, system], "locker code for the gym?");

        Assert.Equal([b, a, c], ranked);
    }

    [Fact]
    public void Note_Recalled_InConversationOrder()
    {
        var a = new ChatMessage(ChatRole.User, "first");
        var b = new ChatMessage(ChatRole.Assistant, "second");

        var note = KeywordRecall.Note([b, a], [a, b]);

        Assert.Equal(KeywordRecall.NoteHeading + "\n[user] first\n[assistant] second", note.Text);
        Assert.Equal(ChatRole.System, note.Role);
    }
}
