using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Anthropic.Tests;

public class AnthropicWireTests
{
    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("model_context_window_exceeded", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    [InlineData("brand_new_reason", "stop")]
    public void MapStopReason_KnownAndUnknown_Normalised(string raw, string expected)
        => Assert.Equal(new ChatFinishReason(expected), AnthropicWire.MapStopReason(raw));

    [Fact]
    public void MapStopReason_Null_Null()
        => Assert.Null(AnthropicWire.MapStopReason(null));

    [Fact]
    public void ReadStopReason_KnownValue_ReturnsInternedInstance()
    {
        var first = Read("\"end_turn\"");
        var second = Read("\"end_turn\"");

        Assert.Same(first, second);
        Assert.Equal("something_else", Read("\"something_else\""));
        Assert.Null(Read("null"));

        static string? Read(string json)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            reader.Read();
            return AnthropicWire.ReadStopReason(ref reader);
        }
    }

    [Theory]
    [InlineData("overloaded_error", 529)]
    [InlineData("rate_limit_error", 429)]
    [InlineData("api_error", 500)]
    [InlineData("invalid_request_error", 400)]
    [InlineData("authentication_error", 401)]
    [InlineData("permission_error", 403)]
    [InlineData("not_found_error", 404)]
    [InlineData("request_too_large", 413)]
    [InlineData("billing_error", 402)]
    public void StatusForErrorType_DocumentedTypes_Mapped(string type, int status)
        => Assert.Equal((HttpStatusCode)status, AnthropicWire.StatusForErrorType(type));

    [Fact]
    public void StatusForErrorType_Unknown_Null()
        => Assert.Null(AnthropicWire.StatusForErrorType("new_error"));

    [Fact]
    public void ParseError_AnthropicBody_MessageCodeAndType()
    {
        var info = AnthropicWire.ParseError(Encoding.UTF8.GetBytes("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"""));

        Assert.NotNull(info);
        Assert.Equal("Overloaded", info.Value.Message);
        Assert.Equal("overloaded_error", info.Value.Code);
        Assert.Equal("overloaded_error", info.Value.Type);
    }

    [Theory]
    [InlineData("prompt is too long: 208310 tokens > 200000 maximum", "context_length_exceeded")]
    [InlineData("input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000", "context_length_exceeded")]
    [InlineData("Output blocked by content filtering policy", "content_policy_violation")]
    [InlineData("messages: text content blocks must be non-empty", "invalid_request_error")]
    public void ParseError_InvalidRequestMessages_CodeNormalised(string message, string code)
    {
        string body = JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = "error", ["error"] = new Dictionary<string, string> { ["type"] = "invalid_request_error", ["message"] = message } });

        var info = AnthropicWire.ParseError(Encoding.UTF8.GetBytes(body));

        Assert.Equal(code, info!.Value.Code);
        Assert.Equal("invalid_request_error", info.Value.Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"message\":\"no error object\"}")]
    public void ParseError_OtherJson_Null(string body)
        => Assert.Null(AnthropicWire.ParseError(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void ParseError_NotJson_ThrowsJsonException()
        => Assert.ThrowsAny<JsonException>(() => AnthropicWire.ParseError(Encoding.UTF8.GetBytes("<html>oops</html>")));
}
