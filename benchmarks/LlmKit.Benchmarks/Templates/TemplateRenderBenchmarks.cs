using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// Rendering a compiled 2 KB template with 10 inputs (issue 7: under 5 µs and under 2 KB allocated): a system
/// message with six variables, a conditional section and a loop over three items, and a user message with the
/// rest. The rows show the full render (messages plus options with the request context), the render into a
/// caller's buffer (<see cref="PromptTemplateService.RenderTo{TState}"/>, no strings), and the cost of just allocating
/// the two output strings, which no string-returning renderer can avoid.
/// </summary>
[MemoryDiagnoser]
public class TemplateRenderBenchmarks
{
    private PromptTemplateService _service = null!;
    private PromptTemplate _template = null!;
    private Dictionary<string, object?> _inputs = null!;
    private string _systemText = null!;
    private string _userText = null!;
    private ArrayBufferWriter<char> _output = null!;

    /// <summary>Builds the template and compiles it once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var system = new StringBuilder();
        system.Append("You are {{assistant_name}}, the support assistant of {{company}}. You help customers of the {{product}} product line.\n");
        system.Append("Answer in {{language}} with a {{tone}} tone. ");
        for (int i = 0; i < 9; i++)
        {
            system.Append("Follow the policy: be accurate, cite the knowledge base when you use it, never invent order numbers, prices or dates, and hand over to a human when the customer asks for one. ");
        }

        system.Append("\n{{#vip}}This customer is a VIP: offer priority handling.\n{{/vip}}Known facts:\n{{#facts}}- {{.}}\n{{/facts}}");
        var user = new StringBuilder();
        user.Append("Customer {{customer}} (account {{account}}) writes:\n\n");
        for (int i = 0; i < 3; i++)
        {
            user.Append("Please consider the whole conversation history and the customer's plan before answering the question below. ");
        }

        user.Append("\n\nQuestion: {{question}}");
        _template = new PromptTemplate
        {
            Id = "support",
            Version = 1,
            Inputs =
            [
                new TemplateInput { Name = "assistant_name" }, new TemplateInput { Name = "company" }, new TemplateInput { Name = "product" },
                new TemplateInput { Name = "language" }, new TemplateInput { Name = "tone", AllowedValues = ["friendly", "formal"] },
                new TemplateInput { Name = "vip", Type = TemplateInputType.Boolean }, new TemplateInput { Name = "facts", Type = TemplateInputType.Array },
                new TemplateInput { Name = "customer" }, new TemplateInput { Name = "account" }, new TemplateInput { Name = "question" },
            ],
            Messages = [new(ChatRole.System, system.ToString()), new(ChatRole.User, user.ToString())],
            ModelHints = new TemplateModelHints { Model = "smart", Temperature = 0.2f, MaxOutputTokens = 500 },
        };
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
        _service = new PromptTemplateService(new InMemoryTemplateStore());
        var rendered = _service.Render(_template, _inputs);
        _systemText = rendered.Messages[0].Text;
        _userText = rendered.Messages[1].Text;
        _output = new ArrayBufferWriter<char>(8192);
        Console.WriteLine($"// template: {system.Length + user.Length} chars; rendered: {_systemText.Length + _userText.Length} chars ({2 * (_systemText.Length + _userText.Length)} bytes of UTF-16 text)");
    }

    /// <summary>The full render of the compiled template.</summary>
    /// <returns>The rendered prompt.</returns>
    [Benchmark(Baseline = true, Description = "render 2 KB template, 10 inputs (compiled)")]
    public RenderedPrompt Render() => _service.Render(_template, _inputs);

    /// <summary>Renders into the caller's reused buffer: the same text, without the message strings, messages or options.</summary>
    /// <returns>The characters written.</returns>
    [Benchmark(Description = "RenderTo a caller's buffer (no strings)")]
    public int RenderToBuffer()
    {
        _output.ResetWrittenCount();
        _service.RenderTo(_template, _inputs, _output, static (output, _, text) => output.Write(text));
        return _output.WrittenCount;
    }

    /// <summary>Only copies the two rendered texts into new strings: the floor any renderer pays.</summary>
    /// <returns>The copies.</returns>
    [Benchmark(Description = "floor: allocate the 2 output strings")]
    public (string, string) OutputStringsOnly() => (new string(_systemText.AsSpan()), new string(_userText.AsSpan()));
}
