using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Anthropic's <c>usage</c> object as read so far. Reading a later <c>usage</c> (the stream's
/// <c>message_delta</c>, whose counts are cumulative) overwrites only the fields it carries.
/// </summary>
internal struct AnthropicUsage
{
    public long? Input;
    public long? Output;
    public long? CacheRead;
    public long? CacheCreation;
    public long? CacheCreation1h;
    public long? WebSearchRequests;
    public bool Seen;

    /// <summary>Reads a <c>usage</c> object; the reader is on its <see cref="JsonTokenType.StartObject"/> (or null) and ends on its end.</summary>
    public void Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw LlmKit.Http.WireFormat.Field("usage", "must be an object");
        }

        Seen = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                reader.Read();
                Input = ReadCount(ref reader, "usage.input_tokens") ?? Input;
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                reader.Read();
                Output = ReadCount(ref reader, "usage.output_tokens") ?? Output;
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                reader.Read();
                CacheRead = ReadCount(ref reader, "usage.cache_read_input_tokens") ?? CacheRead;
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                reader.Read();
                CacheCreation = ReadCount(ref reader, "usage.cache_creation_input_tokens") ?? CacheCreation;
            }
            else if (reader.ValueTextEquals("cache_creation"u8))
            {
                reader.Read();
                ReadCacheCreation(ref reader);
            }
            else if (reader.ValueTextEquals("server_tool_use"u8))
            {
                reader.Read();
                ReadServerToolUse(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Returns the counts normalised to LlmKit's usage convention (cached input and cache writes are part of input), or <see langword="null"/> when no usage was read.</summary>
    public readonly UsageDetails? ToUsageDetails()
    {
        if (!Seen)
        {
            return null;
        }

        long cacheRead = CacheRead ?? 0;
        long cacheWrite = CacheCreation ?? 0;
        long? input = Input is null && CacheRead is null && CacheCreation is null ? null : (Input ?? 0) + cacheRead + cacheWrite;
        var usage = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = Output,
            TotalTokenCount = input is null && Output is null ? null : (input ?? 0) + (Output ?? 0),
            CachedInputTokenCount = CacheRead,
        };

        if (cacheWrite > 0 || CacheCreation1h > 0 || WebSearchRequests > 0)
        {
            var counts = new AdditionalPropertiesDictionary<long>();
            if (cacheWrite > 0)
            {
                counts[LlmUsageKeys.CacheWriteInputTokens] = cacheWrite;
            }

            if (CacheCreation1h is > 0 and var oneHour)
            {
                counts[LlmUsageKeys.CacheWrite1HourInputTokens] = oneHour;
            }

            if (WebSearchRequests is > 0 and var searches)
            {
                counts[WebSearchRequestsKey] = searches;
            }

            usage.AdditionalCounts = counts;
        }

        return usage;
    }

    /// <summary>The <c>AdditionalCounts</c> key for server-side web searches: <c>anthropic.web_search_requests</c>.</summary>
    public const string WebSearchRequestsKey = "anthropic.web_search_requests";

    private void ReadCacheCreation(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool oneHour = reader.ValueTextEquals("ephemeral_1h_input_tokens"u8);
            reader.Read();
            if (oneHour)
            {
                CacheCreation1h = ReadCount(ref reader, "usage.cache_creation.ephemeral_1h_input_tokens") ?? CacheCreation1h;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadServerToolUse(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool searches = reader.ValueTextEquals("web_search_requests"u8);
            reader.Read();
            if (searches)
            {
                WebSearchRequests = ReadCount(ref reader, "usage.server_tool_use.web_search_requests") ?? WebSearchRequests;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>A count must be a non-negative integer (or null); anything else names the field in a <see cref="ProviderResponseFormatException"/>.</summary>
    private static long? ReadCount(ref Utf8JsonReader reader, string field)
        => LlmKit.Http.WireFormat.ReadCount(ref reader, field);
}
