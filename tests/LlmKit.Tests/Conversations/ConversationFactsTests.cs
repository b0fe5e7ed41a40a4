using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Conversations;

public class ConversationFactsTests
{
    [Theory]
    [InlineData("[\"a\", \"b\"]")]
    [InlineData("Sure! Here they are:\n```json\n[\"a\", \"b\",]\n```\nAnything else?")]
    [InlineData("[{\"fact\": \"a\"}, {\"text\": \"b\"}, {\"other\": \"x\"}, 42, \"  \"]")]
    [InlineData("Facts:\n- a\n* b\nnot a bullet")]
    public void Parse_ListInItsUsualShapes_ReturnsTheFacts(string reply)
    {
        Assert.Equal(["a", "b"], ConversationFacts.Parse(reply));
    }

    [Theory]
    [InlineData("No facts here.")]
    [InlineData("[not json at all")]
    public void Parse_NoList_ReturnsNull(string reply)
    {
        Assert.Null(ConversationFacts.Parse(reply));
    }

    [Fact]
    public void Parse_EmptyArray_ReturnsEmptyList()
    {
        Assert.Empty(ConversationFacts.Parse("[]")!);
    }

    [Fact]
    public void Merge_DuplicatesIgnoringCaseAndOverMax_KeepsNewestDistinct()
    {
        var merged = ConversationFacts.Merge(["one", "two", "three"], ["TWO", "four", "five"], max: 4);

        Assert.Equal(["two", "three", "four", "five"], merged);
    }

    [Fact]
    public void Read_WriteRoundTripAndCorruptValue_ReadsFactsOrNone()
    {
        string json = ConversationFacts.Write(["Ada's \"tea\"", "b"]);

        Assert.Equal(["Ada's \"tea\"", "b"], ConversationFacts.Read(new Dictionary<string, string> { [ConversationMetadataKeys.Facts] = json }));
        Assert.Empty(ConversationFacts.Read(new Dictionary<string, string> { [ConversationMetadataKeys.Facts] = "{corrupt" }));
        Assert.Empty(ConversationFacts.Read(new Dictionary<string, string>()));
    }

    [Fact]
    public void Note_Facts_SystemMessageListingThem()
    {
        var note = ConversationFacts.Note(["a", "b"]);

        Assert.Equal(ChatRole.System, note!.Role);
        Assert.Equal(ConversationFacts.NoteHeading + "\n- a\n- b", note.Text);
        Assert.Null(ConversationFacts.Note([]));
    }
}
