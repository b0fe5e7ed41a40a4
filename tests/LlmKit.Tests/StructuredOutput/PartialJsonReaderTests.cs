namespace LlmKit.Tests.Structured;

public class PartialJsonReaderTests
{
    [Fact]
    public void Append_CharacterByCharacter_SnapshotsHoldEveryCompletedFieldInOrder()
    {
        const string json = """Sure: ```json {"a":"x,}","b":[1,{"c":true}],"d":null} ``` done""";
        var reader = new PartialJsonReader();
        var snapshots = new List<string>();
        foreach (char c in json)
        {
            if (reader.Append([c]) && reader.Snapshot() is { } s && (snapshots.Count == 0 || snapshots[^1] != s))
            {
                snapshots.Add(s);
            }
        }

        Assert.Equal(
            [
                """{"a":"x,}"}""",
                """{"a":"x,}","b":[1]}""",
                """{"a":"x,}","b":[1,{"c":true}]}""",
                """{"a":"x,}","b":[1,{"c":true}],"d":null}""",
            ],
            snapshots);
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void Snapshot_KeyNotYetValued_IsLeftOut()
    {
        var reader = new PartialJsonReader();
        reader.Append("""{"a":1,"b""");
        Assert.Equal("""{"a":1}""", reader.Snapshot());
        reader.Append("\":\"par");
        Assert.Equal("""{"a":1}""", reader.Snapshot());
        reader.Append("tial\\\"q\"");
        Assert.Equal("""{"a":1,"b":"partial\"q"}""", reader.Snapshot());
    }

    [Fact]
    public void Snapshot_BeforeTheFirstBracket_IsNull()
    {
        var reader = new PartialJsonReader();
        Assert.False(reader.Append("Here is the answer"));
        Assert.Null(reader.Snapshot());
    }
}
