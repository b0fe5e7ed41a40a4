using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Streams a structured answer as partial objects that fill in as fields complete, then the validated object. For the
/// non-streaming typed call use Microsoft.Extensions.AI's <c>GetResponseAsync&lt;T&gt;</c>: LlmKit's pipeline validates and
/// repairs it.
/// </summary>
public static class StructuredOutputChatClientExtensions
{
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> PartialOptions = new();

    /// <summary>
    /// Asks for a <typeparamref name="T"/> (JSON Schema response format made from the type) and streams it: a partial object
    /// each time a member or element completes, then the object validated against the full schema (<c>IsFinal</c>).
    /// </summary>
    /// <typeparam name="T">The type of the answer: a class or record (the root of the answer must be a JSON object).</typeparam>
    /// <param name="client">The chat client, normally LlmKit's pipeline.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options; <see langword="null"/> uses defaults. Its response format is replaced with the schema of <typeparamref name="T"/>.</param>
    /// <param name="serializerOptions">The serializer options; <see langword="null"/> uses <see cref="AIJsonUtilities.DefaultOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the stream.</param>
    /// <returns>The partial states in order, then the final object.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="StructuredOutputSchemaException"><typeparamref name="T"/> cannot be described by a schema, or is not an object type.</exception>
    /// <exception cref="StructuredOutputException">The streamed answer does not match the schema (a stream is not repaired).</exception>
    /// <exception cref="StructuredOutputRefusedException">The model declined.</exception>
    public static async IAsyncEnumerable<StructuredOutputStreamUpdate<T>> GetStreamingResponseAsync<T>(
        this IChatClient client,
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        JsonSerializerOptions? serializerOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        serializerOptions ??= AIJsonUtilities.DefaultOptions;
        var schema = StructuredOutputSchema.For<T>(serializerOptions);
        if (!schema.IsObject)
        {
            throw new StructuredOutputSchemaException(
                $"Streaming a {typeof(T).Name} needs an object at the root of the answer; wrap it in a record (for example record Answer({typeof(T).Name} Value)).");
        }

        var requestOptions = options?.Clone() ?? new ChatOptions();
        requestOptions.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.Json, typeof(T).Name);
        var partialOptions = PartialOptions.GetValue(serializerOptions, Relaxed);
        var reader = new PartialJsonReader();
        var text = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(messages, requestOptions, cancellationToken).ConfigureAwait(false))
        {
            string chunk = update.Text;
            if (chunk.Length == 0)
            {
                continue;
            }

            text.Append(chunk);
            if (!reader.IsComplete && reader.Append(chunk) && !reader.IsComplete && reader.Snapshot() is { } snapshot
                && TryPartial<T>(snapshot, partialOptions, out var partial))
            {
                yield return new StructuredOutputStreamUpdate<T>(partial, IsFinal: false, reader.Completed);
            }
        }

        T value = StructuredOutput.Parse<T>(text.ToString(), schema, serializerOptions);
        yield return new StructuredOutputStreamUpdate<T>(value, IsFinal: true, reader.Completed);
    }

    private static bool TryPartial<T>(string json, JsonSerializerOptions options, out T value)
    {
        try
        {
            value = JsonSerializer.Deserialize<T>(json, options)!;
            return value is not null;
        }
        catch (JsonException)
        {
            // A half-streamed scalar the type cannot take yet (such as an enum name cut short) waits for the next field.
            value = default!;
            return false;
        }
    }

    /// <summary>The caller's options with required members relaxed, so an object missing fields not yet streamed can be read.</summary>
    private static JsonSerializerOptions Relaxed(JsonSerializerOptions options)
    {
        var relaxed = new JsonSerializerOptions(options)
        {
            TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(static info =>
            {
                foreach (var property in info.Properties)
                {
                    property.IsRequired = false;
                }
            }),
        };
        relaxed.MakeReadOnly();
        return relaxed;
    }
}
