using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The structured-output stage: for a request whose response format carries a JSON Schema, asks natively when the model's
/// registry entry supports structured output and otherwise puts the schema into the instructions; validates the answer
/// against the full schema; on failure runs repair rounds (the answer and its errors go back to the model), each a call of
/// its own through every stage inside this one, with its own request id tagged with the logical request's; then throws
/// <see cref="StructuredOutputException"/>. A refusal is a <see cref="StructuredOutputRefusedException"/>, never repaired.
/// </summary>
internal sealed class StructuredOutputChatClient : DelegatingChatClient
{
    /// <summary>The tag naming the logical request every round of one structured call belongs to.</summary>
    internal const string LogicalRequestTag = "llmkit.structured_output.request";

    /// <summary>The tag numbering the round (0 for the first answer).</summary>
    internal const string RoundTag = "llmkit.structured_output.round";

    private const int MaxCachedSchemas = 256;
    private readonly ConcurrentDictionary<string, StructuredOutputSchema> _schemas = new(StringComparer.Ordinal);
    private readonly StructuredOutputOptions _options;
    private readonly Func<string?, bool> _supportsSchema;

    public StructuredOutputChatClient(IChatClient inner, StructuredOutputOptions options, Func<string?, bool> supportsSchema)
        : base(inner)
    {
        if (options.RepairRounds < 0)
        {
            throw new LlmKitConfigurationException($"StructuredOutputOptions.RepairRounds is {options.RepairRounds}; set it to 0 (no repair) or more.");
        }

        _options = options;
        _supportsSchema = supportsSchema;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (options?.ResponseFormat is not ChatResponseFormatJson { Schema: { } schemaJson } format)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var schema = Schema(schemaJson);
        var path = _supportsSchema(options.ModelId) ? StructuredOutputPath.Native : StructuredOutputPath.Emulated;
        int maxRounds = RepairRounds(options);
        var context = options.GetLlmContext();
        string logicalId = context.RequestId ?? RequestIds.Next();
        var conversation = new List<ChatMessage>(messages);
        UsageDetails? usage = null;
        for (int round = 0; ; round++)
        {
            var roundOptions = RoundOptions(options, format, schema, path, context, logicalId, round);
            var response = await base.GetResponseAsync(conversation, roundOptions, cancellationToken).ConfigureAwait(false);
            usage = Add(usage, response.Usage);
            string text = response.Text;
            ThrowIfRefused(response, text);
            var result = StructuredOutputReader.Read(text, schema);
            if (result.Success)
            {
                using var document = result.Document!;
                return Accepted(response, document.RootElement.GetRawText(), usage, new StructuredOutputInfo(path, round));
            }

            if (round >= maxRounds)
            {
                throw StructuredOutput.Failure(result.Errors, text, round);
            }

            conversation.Add(new ChatMessage(ChatRole.Assistant, text));
            conversation.Add(new ChatMessage(ChatRole.User, RepairRequest(result.Errors)));
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (options?.ResponseFormat is not ChatResponseFormatJson { Schema: { } schemaJson } format)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        // A stream cannot be taken back, so it is not repaired: the text is validated when it ends, and a mismatch throws.
        var schema = Schema(schemaJson);
        var path = _supportsSchema(options.ModelId) ? StructuredOutputPath.Native : StructuredOutputPath.Emulated;
        var context = options.GetLlmContext();
        var roundOptions = RoundOptions(options, format, schema, path, context, context.RequestId ?? RequestIds.Next(), 0);
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        bool refusal = false;
        await foreach (var update in base.GetStreamingResponseAsync(messages, roundOptions, cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            finish = update.FinishReason ?? finish;
            refusal |= update.AdditionalProperties?.ContainsKey("openai.refusal") == true;
            yield return update;
        }

        string all = text.ToString();
        if (refusal || finish == ChatFinishReason.ContentFilter)
        {
            throw Refused(all);
        }

        var result = StructuredOutputReader.Read(all, schema);
        if (!result.Success)
        {
            throw StructuredOutput.Failure(result.Errors, all, 0);
        }

        result.Document!.Dispose();
        yield return new ChatResponseUpdate { AdditionalProperties = new() { [StructuredOutputInfo.PropertyKey] = new StructuredOutputInfo(path, 0) } };
    }

    private StructuredOutputSchema Schema(JsonElement json)
    {
        string key = json.GetRawText();
        if (_schemas.TryGetValue(key, out var schema))
        {
            return schema;
        }

        schema = StructuredOutputSchema.FromJson(json);
        if (_schemas.Count >= MaxCachedSchemas)
        {
            _schemas.Clear();
        }

        _schemas[key] = schema;
        return schema;
    }

    private int RepairRounds(ChatOptions options)
        => options.AdditionalProperties?.TryGetValue(StructuredOutputChatOptionsExtensions.RepairRoundsKey, out object? value) == true && value is int rounds && rounds >= 0
            ? rounds
            : _options.RepairRounds;

    private static ChatOptions RoundOptions(ChatOptions options, ChatResponseFormatJson format, StructuredOutputSchema schema, StructuredOutputPath path, LlmRequestContext context, string logicalId, int round)
    {
        var clone = options.Clone();
        var tags = new Dictionary<string, string>(context.Tags, StringComparer.Ordinal)
        {
            [LogicalRequestTag] = logicalId,
            [RoundTag] = round.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        clone.AdditionalProperties = options.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(options.AdditionalProperties);
        clone.AdditionalProperties.Remove(StructuredOutputChatOptionsExtensions.RepairRoundsKey);
        clone.WithLlmContext(context with
        {
            // Every round keeps the logical request id: the ledger gives each round trip its own record id and keeps this
            // one as the correlation id, so the rounds of one structured call are one query.
            RequestId = logicalId,
            Tags = tags,
        });
        if (path == StructuredOutputPath.Emulated)
        {
            clone.ResponseFormat = null;
            string instruction = "Answer with only one JSON value that matches this JSON Schema, with no other text"
                + (format.SchemaDescription is { } d ? $" ({d})" : string.Empty) + ":\n" + schema.Json.GetRawText();
            clone.Instructions = string.IsNullOrEmpty(options.Instructions) ? instruction : options.Instructions + "\n\n" + instruction;
        }

        return clone;
    }

    private static string RepairRequest(IReadOnlyList<StructuredOutputError> errors)
    {
        var sb = new StringBuilder("Your answer does not match the required JSON Schema:\n");
        foreach (var error in errors.Take(50))
        {
            sb.Append("- ").Append(error).Append('\n');
        }

        sb.Append("Answer again with only the corrected JSON value, nothing else.");
        return sb.ToString();
    }

    private static void ThrowIfRefused(ChatResponse response, string text)
    {
        if (response.FinishReason == ChatFinishReason.ContentFilter
            || response.AdditionalProperties?.ContainsKey("openai.refusal") == true)
        {
            throw Refused(response.AdditionalProperties?.TryGetValue("openai.refusal", out object? r) == true && r is string refusal ? refusal : text);
        }
    }

    private static StructuredOutputRefusedException Refused(string text) => new(
        "The model declined to give the structured answer" + (text.Length > 0 ? $": \"{(text.Length > 300 ? text[..300] + "..." : text)}\"" : ".")
        + " Rephrase the request or route it to another model.",
        text);

    private static ChatResponse Accepted(ChatResponse response, string json, UsageDetails? usage, StructuredOutputInfo info)
    {
        // The canonical JSON replaces fences and prose, so Microsoft.Extensions.AI's ChatResponse<T>.Result reads it as is.
        var last = response.Messages.Count > 0 ? response.Messages[^1] : new ChatMessage(ChatRole.Assistant, (string?)null);
        var message = new ChatMessage(ChatRole.Assistant, json)
        {
            AuthorName = last.AuthorName,
            MessageId = last.MessageId,
            AdditionalProperties = last.AdditionalProperties,
            RawRepresentation = last.RawRepresentation,
        };
        response.Messages = [message];
        response.Usage = usage;
        (response.AdditionalProperties ??= [])[StructuredOutputInfo.PropertyKey] = info;
        return response;
    }

    private static UsageDetails? Add(UsageDetails? total, UsageDetails? round)
    {
        if (round is null)
        {
            return total;
        }

        if (total is null)
        {
            return round;
        }

        var sum = new UsageDetails
        {
            InputTokenCount = total.InputTokenCount + round.InputTokenCount,
            OutputTokenCount = total.OutputTokenCount + round.OutputTokenCount,
            TotalTokenCount = total.TotalTokenCount + round.TotalTokenCount,
            CachedInputTokenCount = total.CachedInputTokenCount + round.CachedInputTokenCount,
            ReasoningTokenCount = total.ReasoningTokenCount + round.ReasoningTokenCount,
        };
        return sum;
    }
}
