using System.Net;
using System.Text.Json;
using LlmKit.OpenAI.Tests.TestDoubles;

namespace LlmKit.OpenAI.Tests;

public class OpenAIModerationClientTests
{
    [Fact]
    public async Task ClassifyAsync_Scores_BecomeOneFindingPerCategoryOverTheWholeText()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK, """
            {"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":true,
              "categories":{"harassment":false,"self-harm/intent":true},
              "category_scores":{"harassment":0.0012,"self-harm/intent":0.91}}]}
            """);
        using var client = new OpenAIModerationClient(new OpenAIConnectionOptions { ApiKey = "sk-test-0123456789" }, new HttpClient(handler));

        var findings = await client.ClassifyAsync("some text", GuardDirection.Input);

        Assert.Equal("omni-moderation-latest", JsonDocument.Parse(handler.Requests[0].Body!).RootElement.GetProperty("model").GetString());
        Assert.Equal("https://api.openai.com/v1/moderations", handler.Requests[0].Uri.ToString());
        Assert.Equal(2, findings.Count);
        var selfHarm = Assert.Single(findings, f => f.Type == "SELF_HARM_INTENT");
        Assert.Equal(0.91, selfHarm.Score, 3);
        Assert.Equal(0, selfHarm.Start);
        Assert.Equal(9, selfHarm.Length);
        Assert.Equal("openai-moderation", selfHarm.Recognizer);
    }
}
