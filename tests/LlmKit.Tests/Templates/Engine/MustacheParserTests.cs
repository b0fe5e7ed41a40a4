namespace LlmKit.Tests.Templates.Engine;

public class MustacheParserTests
{
    [Theory]
    [InlineData("Hello {{name", 1, 7, "not closed")]
    [InlineData("a\n  {{#items}}\nx", 2, 3, "section 'items' is never closed")]
    [InlineData("{{#a}}\n{{/b}}", 2, 1, "does not match the open section 'a'")]
    [InlineData("x {{/a}}", 1, 3, "never opened")]
    [InlineData("{{ name | upper }}", 1, 1, "Filters and expressions")]
    [InlineData("{{=<% %>=}}", 1, 1, "set-delimiter")]
    [InlineData("{{>missing}}", 1, 1, "unknown partial 'missing'")]
    [InlineData("{{}}", 1, 1, "empty tag")]
    public void Parse_BadTemplate_ThrowsWithLineAndColumn(string text, int line, int column, string problem)
    {
        var ex = Assert.Throws<TemplateParseException>(() => MustacheParser.Parse(text, "greet.prompty", 1, null));

        Assert.Equal(("greet.prompty", line, column), (ex.SourceName, ex.Line, ex.Column));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"greet.prompty({line},{column}): ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FirstLineOffset_IsAddedToReportedLines()
    {
        var ex = Assert.Throws<TemplateParseException>(() => MustacheParser.Parse("ok\n{{#a}}", "f.prompty", 10, null));

        Assert.Equal(11, ex.Line);
    }

    [Fact]
    public void Parse_PartialIncludingItself_IsAnError()
    {
        var partials = new Dictionary<string, string> { ["loop"] = "again {{>loop}}" };

        var ex = Assert.Throws<TemplateParseException>(() => MustacheParser.Parse("{{>loop}}", "t", 1, partials));

        Assert.Contains("includes itself", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StandaloneTagsWithCrLf_RemoveTheirLines()
    {
        var nodes = MustacheParser.Parse("a\r\n  {{! note }}  \r\nb", "t", 1, null);

        Assert.Equal("a\r\nb", string.Concat(nodes.OfType<MustacheTextNode>().Select(n => n.Text)));
    }
}
