namespace LlmKit.Tests.Templates.Service;

public class ExperimentAssignmentTests
{
    private static readonly TemplateExperiment Experiment = new()
    {
        Id = "exp-1",
        TemplateId = "t",
        Variants = [new("A", 1, 1), new("B", 2, 3)],
    };

    [Theory]
    // SHA-256("exp-1\n" + key), first 8 bytes big-endian / 2^64, computed with Python's hashlib.
    [InlineData("user-42", 0.07165215285311216)]
    [InlineData("user-7", 0.5394983412632627)]
    [InlineData("conv-abc", 0.09956808435505371)]
    public void Point_IsTheDocumentedHash(string key, double expected)
    {
        Assert.Equal(expected, ExperimentAssignment.Point("exp-1", key), 14);
    }

    [Theory]
    // Weights 1:3 split [0, 0.25) to A and [0.25, 1) to B.
    [InlineData("user-42", "A")]
    [InlineData("user-7", "B")]
    [InlineData("conv-abc", "A")]
    public void Pick_Key_FallsIntoItsWeightShare(string key, string variant)
    {
        Assert.Equal(variant, ExperimentAssignment.Pick(Experiment, key).Name);
    }

    [Fact]
    public void Pick_ManyKeys_SplitsByWeightAndIsSticky()
    {
        int b = 0;
        for (int i = 0; i < 20_000; i++)
        {
            string key = $"user-{i}";
            var first = ExperimentAssignment.Pick(Experiment, key);
            Assert.Same(first, ExperimentAssignment.Pick(Experiment, key));
            b += first.Name == "B" ? 1 : 0;
        }

        // Expected 15,000; a binomial standard deviation is about 61, so ±400 is over six of them.
        Assert.InRange(b, 14_600, 15_400);
    }
}
