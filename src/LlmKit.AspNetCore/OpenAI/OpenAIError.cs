using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>An error in OpenAI's format: <c>{"error":{"message","type","param","code"}}</c> with an HTTP status.</summary>
internal sealed record OpenAIError(int Status, string Message, string Type, string? Param = null, string? Code = null, TimeSpan? RetryAfter = null)
{
    public const string InvalidRequest = "invalid_request_error";

    public static OpenAIError BadRequest(string message, string? param = null, string? code = null) => new(400, message, InvalidRequest, param, code);

    public static OpenAIError InvalidType(string param, string expected, JsonElement actual)
        => BadRequest($"Invalid type for '{param}': expected {expected}, but got {Describe(actual.ValueKind)} instead.", param, "invalid_type");

    public static OpenAIError Unprocessable(string message, string? param, string code) => new(422, message, InvalidRequest, param, code);

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (RetryAfter is { } retry)
        {
            long seconds = Math.Max(1, (long)Math.Ceiling(retry.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            WriteBody(writer);
        }

        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }

    public void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartObject("error"u8);
        w.WriteString("message"u8, Message);
        w.WriteString("type"u8, Type);
        if (Param is null)
        {
            w.WriteNull("param"u8);
        }
        else
        {
            w.WriteString("param"u8, Param);
        }

        if (Code is null)
        {
            w.WriteNull("code"u8);
        }
        else
        {
            w.WriteString("code"u8, Code);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "an unknown value",
    };
}
