namespace LlmKit.Tests.Safety;

public class RepetitionTrackerTests
{
    [Fact]
    public void Feed_RepeatedLinesAcrossChunks_CountsLongestRun()
    {
        var tracker = new RepetitionTracker();
        tracker.Feed("intro\nsame li");
        tracker.Feed("ne\nsame line\nsame line\nother\n");
        tracker.Complete();

        Assert.Equal(3, tracker.LongestRun);
    }

    [Fact]
    public void Feed_RepeatedWord_CountsRun()
    {
        var tracker = new RepetitionTracker();
        tracker.Feed("the the the the the end");
        tracker.Complete();

        Assert.Equal(5, tracker.LongestRun);
    }
}
