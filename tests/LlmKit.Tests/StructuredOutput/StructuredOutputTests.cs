using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Structured;

public class StructuredOutputTests
{
    private const string Sample = """{"number":"INV-7","customer":"Ada","status":"Paid","total":12.50,"note":null,"lines":[{"item":"pen","quantity":5,"price":2.50}]}""";

    [Fact]
    public void Parse_PlainJson_ReturnsTheObject()
    {
        var invoice = StructuredOutput.Parse<Invoice>(Sample);
        Assert.Equal("INV-7", invoice.Number);
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        Assert.Equal(12.50m, invoice.Total);
        Assert.Equal(5, Assert.Single(invoice.Lines).Quantity);
    }

    [Fact]
    public void Parse_FenceAfterASentence_ReadsTheFencedValue()
    {
        string text = "Sure! Here is the invoice you asked for:\n\n```json\n" + Sample + "\n```\nLet me know if you need more.";
        Assert.Equal("Ada", StructuredOutput.Parse<Invoice>(text).Customer);
    }

    [Fact]
    public void Parse_NearJson_TrailingCommasCommentsSingleQuotesUnquotedKeysPythonLiterals()
    {
        string text = """
            The data: {number: 'INV-9', // the printed number
              "customer": 'O\'Brien', status: "Sent", total: 3, note: None,
              lines: [{item: "tea", quantity: 1, price: 3,},],}
            """;
        var invoice = StructuredOutput.Parse<Invoice>(text);
        Assert.Equal("INV-9", invoice.Number);
        Assert.Equal("O'Brien", invoice.Customer);
        Assert.Null(invoice.Note);
        Assert.Equal("tea", invoice.Lines[0].Item);
    }

    [Fact]
    public void Parse_SeveralValues_PicksTheOneTheSchemaAccepts()
    {
        string text = "Step 1 gave {\"draft\": true} and [1, 2]; the final answer is " + Sample + " and {\"done\": 1}.";
        Assert.Equal("INV-7", StructuredOutput.Parse<Invoice>(text).Number);
    }

    [Fact]
    public void Parse_SchemaErrors_ListsEveryErrorWithItsJsonPath()
    {
        string text = """{"number":"7","customer":"Ada","status":"lost","total":-1,"note":null,"lines":[{"item":"pen","quantity":0,"price":1}]}""";
        var ex = Assert.Throws<StructuredOutputException>(() => StructuredOutput.Parse<Invoice>(text));
        var paths = ex.Errors.Select(e => e.Path).ToHashSet();
        Assert.Contains("$.number", paths);
        Assert.Contains("$.status", paths);
        Assert.Contains("$.total", paths);
        Assert.Contains("$.lines[0].quantity", paths);
        Assert.Equal(text, ex.RawText);
        Assert.Equal(0, ex.RepairRounds);
        Assert.Contains("$.lines[0].quantity", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredMember_NamesIt()
    {
        var ex = Assert.Throws<StructuredOutputException>(() => StructuredOutput.Parse<Invoice>("""{"number":"INV-1","customer":"A","status":"Draft","total":1,"note":null}"""));
        Assert.Contains(ex.Errors, e => e.Path == "$" && e.Message.Contains("lines", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnreadableText_ReportsTheExactPosition()
    {
        string text = "Here you go:\n{\"number\": \"INV-1\", \"customer\": \"A\" \"status\": 1}";
        var ex = Assert.Throws<StructuredOutputException>(() => StructuredOutput.Parse<Invoice>(text));
        var error = Assert.Single(ex.Errors);
        int expected = text.IndexOf("\"status\"", StringComparison.Ordinal);
        Assert.Equal(expected, error.Position);
        Assert.Equal(2, error.Line);
        Assert.Equal(expected - text.IndexOf('\n', StringComparison.Ordinal), error.Column);
        Assert.Contains("expected ',' or '}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnclosedString_PointsAtItsStart()
    {
        string text = "{\"customer\": \"A\", \"number\": \"INV-1";
        var ex = Assert.Throws<StructuredOutputException>(() => StructuredOutput.Parse<Invoice>(text));
        Assert.Equal(text.LastIndexOf('"'), Assert.Single(ex.Errors).Position);
    }

    [Fact]
    public void Parse_NoJsonAtAll_SaysSo()
    {
        var ex = Assert.Throws<StructuredOutputException>(() => StructuredOutput.Parse<Invoice>("I cannot find an invoice in this document."));
        Assert.Contains("no JSON value", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExplicitSchemaFromFile_ValidatesAgainstIt()
    {
        var schema = StructuredOutputSchema.FromJson("""{"type":"object","properties":{"city":{"type":"string","minLength":2}},"required":["city"]}""");
        Assert.Equal("Oslo", StructuredOutput.ParseElement("city: ```\n{\"city\":\"Oslo\"}\n```", schema).GetProperty("city").GetString());
        var ex = Assert.Throws<StructuredOutputException>(() => StructuredOutput.ParseElement("{\"city\":\"O\"}", schema));
        Assert.Equal("$.city", Assert.Single(ex.Errors).Path);
    }

    [Fact]
    public void FromJson_InvalidSchema_GivesTheValidatorErrorsWithTheirLocation()
    {
        var ex = Assert.Throws<StructuredOutputSchemaException>(() => StructuredOutputSchema.FromJson("""{"type":"object","properties":{"age":{"type":"integer","minimum":"zero"}}}"""));
        Assert.Contains(ex.Errors, e => e.Path == "$.properties.age.minimum");
    }

    [Fact]
    public void FromJson_NotJson_GivesTheLineAndColumn()
    {
        var ex = Assert.Throws<StructuredOutputSchemaException>(() => StructuredOutputSchema.FromJson("{\n  \"type\": \"object\",\n  \"properties\": {,}\n}"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void For_OpenGeneric_ThrowsBeforeAnyCall()
    {
        var ex = Assert.Throws<StructuredOutputSchemaException>(() => StructuredOutputSchema.For(typeof(List<>)));
        Assert.Contains("open generic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_Interface_ThrowsNamingTheFix()
    {
        var ex = Assert.Throws<StructuredOutputSchemaException>(() => StructuredOutputSchema.For<IDisposable>());
        Assert.Contains("concrete class", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_DataAnnotations_AppearInTheSchema()
    {
        var schema = StructuredOutputSchema.For<Invoice>().Json;
        var properties = schema.GetProperty("properties");
        Assert.Equal("^INV-[0-9]+$", properties.GetProperty("number").GetProperty("pattern").GetString());
        Assert.Equal("An invoice read from a document.", schema.GetProperty("description").GetString());
        Assert.Equal(1, properties.GetProperty("lines").GetProperty("items").GetProperty("properties").GetProperty("quantity").GetProperty("minimum").GetInt32());
        Assert.Equal(["Draft", "Sent", "Paid"], properties.GetProperty("status").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>Property: any invoice, serialized and wrapped in prose, a fence or beside other JSON, is recovered exactly.</summary>
    [Fact]
    public void Parse_AnyInvoiceWrappedInProse_IsRecoveredExactly()
    {
        var options = AIJsonUtilities.DefaultOptions;
        var cases = Gen.Sample(Cases(), 300, new FsCheck.Rnd(20261206UL), 20);
        foreach (var (invoice, wrap) in cases)
        {
            string json = JsonSerializer.Serialize(invoice, options);
            string text = Wrap(wrap, json);
            var back = StructuredOutput.Parse<Invoice>(text);
            Assert.Equal(json, JsonSerializer.Serialize(back, options));
        }
    }

    private static string Wrap(int how, string json) => how switch
    {
        0 => json,
        1 => "Here is the result:\n" + json + "\nAnything else?",
        2 => "Sure.\n```json\n" + json + "\n```",
        3 => "```\n" + json + "\n```\nThe total is above.",
        4 => "First a note {\"note\": \"draft\"}, then the invoice: " + json + " (see [1]).",
        _ => "Invoice [ref 3]: " + TrailingCommas(json) + " done",
    };

    /// <summary>Adds a trailing comma before every closing bracket on its own line (indented JSON never has a raw line break in a string).</summary>
    private static string TrailingCommas(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\n(\\s*)([}\\]])", ",\n$1$2");

    private static Gen<(Invoice, int)> Cases()
    {
        var text = Gen.Elements("a", "B", "é", "\"", "\\", "{", "}", "[", "]", " ", "\n", "```", "✓", "日本", "'", ",", "\t", "null")
            .ListOf().Select(parts => string.Concat(parts.Take(12)));
        var money = Gen.Choose(0, 10_000_000).Select(n => n / 100m);
        var line = from item in text
                   from quantity in Gen.Choose(1, 10_000)
                   from price in money
                   select new InvoiceLine { Item = item, Quantity = quantity, Price = price };
        var invoice = from number in Gen.Choose(0, int.MaxValue)
                      from customer in text
                      from status in Gen.Elements(InvoiceStatus.Draft, InvoiceStatus.Sent, InvoiceStatus.Paid)
                      from total in money
                      from hasNote in Gen.Elements(true, false)
                      from note in text
                      from lines in line.ListOf().Select(l => l.Take(4).ToList())
                      select new Invoice { Number = "INV-" + number, Customer = customer, Status = status, Total = total, Note = hasNote ? note : null, Lines = lines };
        return from i in invoice from wrap in Gen.Choose(0, 5) select (i, wrap);
    }
}
