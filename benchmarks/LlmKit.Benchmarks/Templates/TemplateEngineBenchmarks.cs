using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// Issue 24: rendering the same 2 KB template (six variables, a condition and a three-item loop in the system message,
/// the rest in the user message) written in Mustache and in Jinja2 (rendered by Fluid after translation). Goal: Jinja2
/// within 2x of Mustache and under 5 µs.
/// </summary>
[MemoryDiagnoser]
public class TemplateEngineBenchmarks
{
    private PromptTemplateRenderer _renderer = null!;
    private PromptTemplate _mustache = null!;
    private PromptTemplate _jinja = null!;
    private Dictionary<string, object?> _inputs = null!;

    /// <summary>Builds both templates and compiles them once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _mustache = Build(TemplateEngine.Mustache, "{{", "}}", "{{#vip}}This customer is a VIP: offer priority handling.\n{{/vip}}Known facts:\n{{#facts}}- {{.}}\n{{/facts}}");
        _jinja = Build(TemplateEngine.Jinja2, "{{ ", " }}", "{% if vip %}This customer is a VIP: offer priority handling.\n{% endif %}Known facts:\n{% for fact in facts %}- {{ fact }}\n{% endfor %}");
        _inputs = new Dictionary<string, object?>
        {
            ["assistant_name"] = "Ava",
            ["company"] = "Contoso",
            ["product"] = "Contoso Cloud",
            ["language"] = "English",
            ["tone"] = "friendly",
            ["vip"] = true,
            ["facts"] = new[] { "Plan: Business", "Region: EU", "Open tickets: 1" },
            ["customer"] = "Ann Smith",
            ["account"] = "AC-12345",
            ["question"] = "How do I move my subscription to the annual plan?",
        };
        _renderer = new PromptTemplateRenderer();
        string a = string.Join("\n", _renderer.Render(_mustache, _inputs).Messages.Select(m => m.Text));
        string b = string.Join("\n", _renderer.Render(_jinja, _inputs).Messages.Select(m => m.Text));
        if (a != b)
        {
            throw new InvalidOperationException("The two templates must render the same text.");
        }

        Console.WriteLine($"// template: {_jinja.Messages.Sum(m => m.Template.Length)} chars (jinja2); rendered: {a.Length} chars");
    }

    /// <summary>The Mustache template.</summary>
    /// <returns>The rendered prompt.</returns>
    [Benchmark(Baseline = true, Description = "mustache: 2 KB template, 10 inputs")]
    public RenderedPrompt Mustache() => _renderer.Render(_mustache, _inputs);

    /// <summary>The Jinja2 template.</summary>
    /// <returns>The rendered prompt.</returns>
    [Benchmark(Description = "jinja2 (Fluid): 2 KB template, 10 inputs")]
    public RenderedPrompt Jinja2() => _renderer.Render(_jinja, _inputs);

    private static PromptTemplate Build(TemplateEngine engine, string open, string close, string tail)
    {
        string V(string name) => open + name + close;
        var system = new StringBuilder();
        system.Append($"You are {V("assistant_name")}, the support assistant of {V("company")}. You help customers of the {V("product")} product line.\n");
        system.Append($"Answer in {V("language")} with a {V("tone")} tone. ");
        for (int i = 0; i < 9; i++)
        {
            system.Append("Follow the policy: be accurate, cite the knowledge base when you use it, never invent order numbers, prices or dates, and hand over to a human when the customer asks for one. ");
        }

        system.Append('\n').Append(tail);
        var user = new StringBuilder();
        user.Append($"Customer {V("customer")} (account {V("account")}) writes:\n\n");
        for (int i = 0; i < 3; i++)
        {
            user.Append("Please consider the whole conversation history and the customer's plan before answering the question below. ");
        }

        user.Append($"\n\nQuestion: {V("question")}");
        return new PromptTemplate
        {
            Id = "support-" + engine,
            Version = 1,
            Engine = engine,
            Inputs =
            [
                new TemplateInput { Name = "assistant_name" }, new TemplateInput { Name = "company" }, new TemplateInput { Name = "product" },
                new TemplateInput { Name = "language" }, new TemplateInput { Name = "tone", AllowedValues = ["friendly", "formal"] },
                new TemplateInput { Name = "vip", Type = TemplateInputType.Boolean }, new TemplateInput { Name = "facts", Type = TemplateInputType.Array },
                new TemplateInput { Name = "customer" }, new TemplateInput { Name = "account" }, new TemplateInput { Name = "question" },
            ],
            Messages = [new(ChatRole.System, system.ToString()), new(ChatRole.User, user.ToString())],
        };
    }
}
