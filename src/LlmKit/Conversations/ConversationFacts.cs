using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Key-fact memory: the extraction prompt, a tolerant parser of the model's JSON list, storage as JSON and the system note.</summary>
internal static class ConversationFacts
{
    public const string ExtractionInstructions =
        "You extract durable key facts from a conversation turn: facts about the user (name, preferences, constraints), "
        + "the task, decisions and commitments that later turns will need. Do not repeat facts already known. Reply with a JSON "
        + "array of short, self-contained strings, for example [\"The user's name is Ada\", \"The deadline is 3 March\"]. "
        + "Reply [] when there is nothing new.";

    public const string NoteHeading = "Facts remembered from earlier in this conversation:";

    /// <summary>Reads the facts kept in metadata; an unreadable value reads as none.</summary>
    public static List<string> Read(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ConversationMetadataKeys.Facts, out string? json) || string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        return Parse(json) ?? [];
    }

    public static string Write(IReadOnlyList<string> facts)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (string fact in facts)
            {
                writer.WriteStringValue(fact);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static ChatMessage? Note(IReadOnlyList<string> facts)
    {
        if (facts.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder(NoteHeading);
        foreach (string fact in facts)
        {
            text.Append("\n- ").Append(fact);
        }

        return new ChatMessage(ChatRole.System, text.ToString());
    }

    public static List<ChatMessage> ExtractionPrompt(IReadOnlyList<string> known, ChatMessage user, IEnumerable<ChatMessage> answer)
    {
        var text = new StringBuilder();
        if (known.Count > 0)
        {
            text.Append("Known facts:\n");
            foreach (string fact in known)
            {
                text.Append("- ").Append(fact).Append('\n');
            }

            text.Append('\n');
        }

        text.Append("New turn:\n");
        SummarizingChatReducer.AppendTranscriptLine(text, user);
        foreach (var message in answer)
        {
            SummarizingChatReducer.AppendTranscriptLine(text, message);
        }

        text.Append("\nReply with the JSON array of new facts.");
        return [new ChatMessage(ChatRole.System, ExtractionInstructions), new ChatMessage(ChatRole.User, text.ToString())];
    }

    /// <summary>
    /// Parses the model's reply: a JSON array of strings (or of objects with a <c>fact</c> or <c>text</c> property), possibly
    /// inside a code fence or surrounded by prose; else a bulleted list. Returns <see langword="null"/> when nothing can be read.
    /// </summary>
    public static List<string>? Parse(string reply)
    {
        int open = reply.IndexOf('[', StringComparison.Ordinal);
        int close = reply.LastIndexOf(']');
        if (open >= 0 && close > open)
        {
            try
            {
                using var document = JsonDocument.Parse(reply.AsMemory(open, close - open + 1), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                var facts = new List<string>();
                foreach (var item in document.RootElement.EnumerateArray())
                {
                    string? fact = item.ValueKind switch
                    {
                        JsonValueKind.String => item.GetString(),
                        JsonValueKind.Object => Property(item, "fact") ?? Property(item, "text"),
                        _ => null,
                    };
                    if (!string.IsNullOrWhiteSpace(fact))
                    {
                        facts.Add(fact.Trim());
                    }
                }

                return facts;
            }
            catch (JsonException)
            {
                // Not JSON after all: try the bulleted form below.
            }
        }

        List<string>? bullets = null;
        foreach (string raw in reply.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length > 2 && (line[0] is '-' or '*' or '•') && line[1] == ' ')
            {
                (bullets ??= []).Add(line[2..].Trim());
            }
        }

        return bullets;
    }

    /// <summary>Adds new facts to known ones, skipping duplicates (ignoring case), keeping the newest <paramref name="max"/>.</summary>
    public static List<string> Merge(IReadOnlyList<string> known, IReadOnlyList<string> found, int max)
    {
        var merged = new List<string>(known);
        var seen = new HashSet<string>(known, StringComparer.OrdinalIgnoreCase);
        foreach (string fact in found)
        {
            if (seen.Add(fact))
            {
                merged.Add(fact);
            }
        }

        if (merged.Count > max)
        {
            merged.RemoveRange(0, merged.Count - max);
        }

        return merged;
    }

    private static string? Property(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
