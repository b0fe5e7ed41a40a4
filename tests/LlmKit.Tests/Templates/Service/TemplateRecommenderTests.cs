using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Service;

public class TemplateRecommenderTests
{
    private static PromptTemplate T(string id, string? name, string? description, params string[] tags)
        => new() { Id = id, Name = name, Description = description, Tags = tags, Messages = [new(ChatRole.User, "x")] };

    [Fact]
    public void Rank_WeighsNameThenTagsThenDescription()
    {
        var templates = new[]
        {
            T("summary-writer", "Summary writer", "Writes text"),
            T("notes", "Notes", "Condenses meeting notes", "summarize"),
            T("other", "Other", "Produces a summary of a report"),
            T("unrelated", "Translator", "Translates text"),
        };

        var ranked = TemplateRecommender.Rank("Please summarise the quarterly report", templates, 10);

        // "summarise" matches: name (3) for summary-writer, a tag (2) for notes, the description (1) for other;
        // "report" adds 1 for other (description); "quarterly" and the stop words match nothing.
        Assert.Equal([("summary-writer", 3d), ("notes", 2d), ("other", 2d)], ranked.Select(r => (r.Template.Id, r.Score)));
    }

    [Theory]
    [InlineData("summarise", "summarize", true)]
    [InlineData("summary", "summarize", true)]
    [InlineData("code", "codegen", true)]
    [InlineData("cod", "code", false)]
    [InlineData("research", "reason", false)]
    public void Match_WordForms(string a, string b, bool expected)
    {
        Assert.Equal(expected, TemplateRecommender.Match(a, b));
    }
}
