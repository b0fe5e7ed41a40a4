using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Turns the chunks of <c>streamGenerateContent?alt=sse</c> (each a whole <c>GenerateContentResponse</c>) into
/// <see cref="ChatResponseUpdate"/>s: one per chunk with parts, then one last update with the finish reason and
/// exactly one <see cref="UsageContent"/> holding the final (cumulative, never summed) usage.
/// </summary>
internal sealed class GeminiStreamState
{
    private readonly GeminiResponseReader _reader;
    private readonly List<AIContent> _contents = new(4);

    public GeminiStreamState(string? apiKey) => _reader = new GeminiResponseReader(apiKey, streaming: true);

    /// <summary>Reads one chunk; returns the update to yield, or <see langword="null"/> when the chunk carried no parts.</summary>
    public ChatResponseUpdate? Read(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data.Trim((byte)' ').IsEmpty)
        {
            return null;
        }

        _contents.Clear();
        try
        {
            _reader.Read(data, _contents);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw LlmKit.Http.WireFormat.Field(null, "a chunk is not valid JSON of the expected shape", ex);
        }

        if (_contents.Count == 0)
        {
            return null;
        }

        IList<AIContent> contents = _contents.Count == 1 ? new SingleContentList(_contents[0]) : new List<AIContent>(_contents);
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = _reader.ResponseId,
            MessageId = _reader.ResponseId,
            ModelId = _reader.ModelVersion,
        };
    }

    /// <summary>Gets a value indicating whether a candidate with a finish reason arrived (the stream's end marker).</summary>
    public bool IsFinished => _reader.RawFinishReason is not null;

    /// <summary>Returns the last update: finish reason, raw finish reason and the usage.</summary>
    /// <exception cref="ProviderException">The stream ended before Gemini sent a finish reason (the connection was cut).</exception>
    public ChatResponseUpdate Complete()
    {
        if (_reader.RawFinishReason is null)
        {
            throw new ProviderException(
                $"The stream from {GeminiErrors.Provider} ended before a finish reason arrived, so the answer may be cut short. Try again.",
                GeminiErrors.Provider,
                (HttpStatusCode?)null,
                LlmFailureKind.Network);
        }

        var update = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = _reader.ResponseId,
            MessageId = _reader.ResponseId,
            ModelId = _reader.ModelVersion,
            FinishReason = _reader.FinishReason,
            AdditionalProperties = _reader.AddResponseProperties(null),
        };
        if (_reader.Usage.HasValues)
        {
            update.Contents = [new UsageContent(_reader.Usage.ToUsageDetails())];
        }

        return update;
    }
}
