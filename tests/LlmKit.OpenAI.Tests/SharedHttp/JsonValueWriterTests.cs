using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests.SharedHttp;

public sealed class JsonValueWriterTests
{
    private static string Write(object? value, JsonSerializerOptions? options = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            JsonValueWriter.Write(writer, value, options ?? AIJsonUtilities.DefaultOptions);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Write_Primitives_WrittenDirectly()
    {
        Assert.Equal("null", Write(null));
        Assert.Equal("\"x\"", Write("x"));
        Assert.Equal("true", Write(true));
        Assert.Equal("3", Write(3));
        Assert.Equal("4", Write(4L));
        Assert.Equal("1.5", Write(1.5));
        Assert.Equal("2.5", Write(2.5f));
        Assert.Equal("7.25", Write(7.25m));
    }

    [Fact]
    public void Write_JsonElementDocumentAndNode_WrittenAsTheyAre()
    {
        using var document = JsonDocument.Parse("""{"a":[1,2]}""");

        Assert.Equal("""{"a":[1,2]}""", Write(document.RootElement));
        Assert.Equal("""{"a":[1,2]}""", Write(document));
        Assert.Equal("""{"z":true}""", Write(new JsonObject { ["z"] = true }));
    }

    [Fact]
    public void Write_UndefinedJsonElement_WritesNull()
        => Assert.Equal("null", Write(default(JsonElement)));

    [Fact]
    public void Write_StringKeyedPairs_WrittenAsObjects()
    {
        var nested = new Dictionary<string, object?> { ["n"] = 1, ["inner"] = new Dictionary<string, object?> { ["k"] = null } };
        List<KeyValuePair<string, string>> headers = [new("a", "b")];

        Assert.Equal("""{"n":1,"inner":{"k":null}}""", Write(nested));
        Assert.Equal("""{"a":"b"}""", Write(headers));
    }

    [Fact]
    public void Write_Sequences_WrittenAsArrays_ByteArraysAsBase64()
    {
        Assert.Equal("""["a",1,null]""", Write(new List<object?> { "a", 1, null }));
        Assert.Equal("\"AQID\"", Write(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void Write_OtherTypes_UseTheGivenOptions()
    {
        var value = new { Name = "x", Items = new List<object?> { new { Inner = 1 } } };

        Assert.Equal("""{"name":"x","items":[{"inner":1}]}""", Write(value));
        Assert.Equal("""{"Name":"x","Items":[{"Inner":1}]}""", Write(value, JsonSerializerOptions.Default));
    }
}
