using LlmKit.Http;

namespace LlmKit.OpenAI.Tests.SharedHttp;

public sealed class RetryAfterParserTests
{
    private static readonly DateTimeOffset Now = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TimeSpan? Parse(string header, string value)
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation(header, value);
        return RetryAfterParser.Parse(response.Headers, Now);
    }

    [Theory]
    [InlineData("retry-after", "7", 7_000)]
    [InlineData("retry-after-ms", "1500", 1_500)]
    [InlineData("retry-after", "Sat, 01 Jan 2000 00:00:09 GMT", 9_000)]
    public void Parse_WellFormedHeader_ReturnsTheWait(string header, string value, int expectedMs)
        => Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Parse(header, value));

    [Theory]
    [InlineData("retry-after", "1e300")]
    [InlineData("retry-after-ms", "1e300")]
    public void Parse_WaitTooLongForTimeSpan_ReturnsMaxValueInsteadOfThrowing(string header, string value)
        => Assert.Equal(TimeSpan.MaxValue, Parse(header, value));
}
