using LlmKit;
using Xunit;

namespace LlmKit.Tests.Knowledge;

public sealed class CitationParserTests
{
    [Theory]
    [InlineData("Refunds take 30 days [1].", new[] { 1 })]
    [InlineData("Both apply [2, 3] and also [1].", new[] { 2, 3, 1 })]
    [InlineData("Adjacent [3][2] and repeated [3].", new[] { 3, 2 })]
    [InlineData("I do not know; the documents do not say.", new int[0])]
    [InlineData("Out of range [7] and zero [0] are not sources; [ 2 ;4 ] is.", new[] { 2, 4 })]
    public void Parse_Answer_ReturnsCitedSourcesInOrder(string answer, int[] expected)
    {
        Assert.Equal(expected, CitationParser.Parse(answer, sourceCount: 4));
    }
}
