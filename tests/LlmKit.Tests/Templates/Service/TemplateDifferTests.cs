using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Service;

public class TemplateDifferTests
{
    [Fact]
    public void Diff_ChangedMessagesInputsHintsAndTools_ListsEachChange()
    {
        var v1 = new PromptTemplate
        {
            Id = "t",
            Version = 1,
            Messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "{{q}}")],
            Inputs = [new TemplateInput { Name = "q" }, new TemplateInput { Name = "old", IsRequired = false }],
            ModelHints = new TemplateModelHints { Model = "fast", Temperature = 0.2f },
            Tools = ["search"],
            Tags = ["a"],
        };
        var v2 = v1 with
        {
            Version = 2,
            Messages = [new(ChatRole.System, "Be very brief."), new(ChatRole.User, "{{q}}"), new(ChatRole.Assistant, "Sure:")],
            Inputs = [new TemplateInput { Name = "q", Type = TemplateInputType.String, Default = JsonDocument.Parse("\"hi\"").RootElement.Clone(), IsRequired = false }, new TemplateInput { Name = "lang" }],
            ModelHints = new TemplateModelHints { Model = "smart", Temperature = 0.2f, MaxOutputTokens = 100 },
            Tools = ["search", "fetch"],
        };

        var diff = TemplateDiffer.Diff(v1, v2);

        Assert.Equal(
            [
                new TemplateChange("messages[0].template", TemplateChangeKind.Modified, "Be brief.", "Be very brief."),
                new TemplateChange("messages[2]", TemplateChangeKind.Added, null, "assistant: Sure:"),
                new TemplateChange("inputs.q.required", TemplateChangeKind.Modified, "true", "false"),
                new TemplateChange("inputs.q.default", TemplateChangeKind.Added, null, "\"hi\""),
                new TemplateChange("inputs.old", TemplateChangeKind.Removed, "string", null),
                new TemplateChange("inputs.lang", TemplateChangeKind.Added, null, "string, required"),
                new TemplateChange("modelHints.model", TemplateChangeKind.Modified, "fast", "smart"),
                new TemplateChange("modelHints.maxOutputTokens", TemplateChangeKind.Added, null, "100"),
                new TemplateChange("tools.fetch", TemplateChangeKind.Added, null, "fetch"),
            ],
            diff.Changes);
        Assert.Equal((1, 2), (diff.FromVersion, diff.ToVersion));
        Assert.False(TemplateDiffer.Diff(v1, v1).HasChanges);
    }
}
