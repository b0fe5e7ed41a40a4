using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Reads typed data out of text that should hold it, for apps that receive model text from elsewhere: JSON in a code fence
/// or surrounded by prose, one of several JSON values, near-JSON (trailing commas, comments, single quotes, unquoted keys,
/// Python literals); validated against the full JSON Schema with JsonSchema.Net, then deserialized.
/// </summary>
/// <example>
/// <code>
/// Invoice invoice = StructuredOutput.Parse&lt;Invoice&gt;(answerText);
/// </code>
/// </example>
public static class StructuredOutput
{
    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="text"/>, validated against the schema of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type of the data.</typeparam>
    /// <param name="text">The text holding the data.</param>
    /// <param name="serializerOptions">The serializer options; <see langword="null"/> uses <see cref="AIJsonUtilities.DefaultOptions"/> (camelCase names, as <c>GetResponseAsync&lt;T&gt;</c> asks models for).</param>
    /// <returns>The data.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="StructuredOutputSchemaException"><typeparamref name="T"/> cannot be described by a schema.</exception>
    /// <exception cref="StructuredOutputException">No JSON value in the text matches the schema: every error with its JSON path, or where the text could not be read.</exception>
    public static T Parse<T>(string text, JsonSerializerOptions? serializerOptions = null)
        => Parse<T>(text, StructuredOutputSchema.For<T>(serializerOptions), serializerOptions);

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="text"/>, validated against <paramref name="schema"/>.</summary>
    /// <typeparam name="T">The type of the data.</typeparam>
    /// <param name="text">The text holding the data.</param>
    /// <param name="schema">The schema the data must match (<see cref="StructuredOutputSchema.FromJson(string)"/> for a schema file).</param>
    /// <param name="serializerOptions">The serializer options; <see langword="null"/> uses <see cref="AIJsonUtilities.DefaultOptions"/>.</param>
    /// <returns>The data.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="schema"/> is <see langword="null"/>.</exception>
    /// <exception cref="StructuredOutputException">No JSON value in the text matches the schema, or the matching value does not fit <typeparamref name="T"/>.</exception>
    public static T Parse<T>(string text, StructuredOutputSchema schema, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(schema);
        var result = StructuredOutputReader.Read(text, schema);
        if (!result.Success)
        {
            throw Failure(result.Errors, text, 0);
        }

        using var document = result.Document!;
        return Deserialize<T>(document.RootElement, text, serializerOptions ?? AIJsonUtilities.DefaultOptions, 0);
    }

    /// <summary>Reads the JSON value in <paramref name="text"/> that matches <paramref name="schema"/>.</summary>
    /// <param name="text">The text holding the data.</param>
    /// <param name="schema">The schema the data must match.</param>
    /// <returns>The value, detached from any document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="schema"/> is <see langword="null"/>.</exception>
    /// <exception cref="StructuredOutputException">No JSON value in the text matches the schema.</exception>
    public static JsonElement ParseElement(string text, StructuredOutputSchema schema)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(schema);
        var result = StructuredOutputReader.Read(text, schema);
        if (!result.Success)
        {
            throw Failure(result.Errors, text, 0);
        }

        using var document = result.Document!;
        return document.RootElement.Clone();
    }

    internal static T Deserialize<T>(JsonElement value, string text, JsonSerializerOptions options, int rounds)
    {
        try
        {
            return value.Deserialize<T>(options) ?? throw Failure([new StructuredOutputError("$", $"null does not make a {typeof(T).Name}")], text, rounds);
        }
        catch (JsonException ex)
        {
            throw Failure([new StructuredOutputError(ex.Path ?? "$", $"does not fit {typeof(T).Name}: {ex.Message}")], text, rounds);
        }
    }

    internal static StructuredOutputException Failure(IReadOnlyList<StructuredOutputError> errors, string text, int rounds)
    {
        string summary = string.Join("; ", errors.Take(10)) + (errors.Count > 10 ? $"; and {errors.Count - 10} more" : string.Empty);
        string after = rounds == 0 ? string.Empty : $" after {rounds} repair round{(rounds == 1 ? string.Empty : "s")}";
        return new StructuredOutputException(
            $"The structured answer does not match its schema{after}: {summary}. Make the schema easier to follow, give the model clearer instructions, or allow more repair rounds.",
            errors,
            text,
            rounds);
    }
}
