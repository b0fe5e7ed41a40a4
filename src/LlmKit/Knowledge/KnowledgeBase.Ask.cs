using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit;

public sealed partial class KnowledgeBase
{
    private const string KnowledgeQueryTemplateId = "knowledge-query";

    private static readonly Lazy<PromptTemplateService> Renderer = new(() => new PromptTemplateService(new InMemoryTemplateStore()));

    /// <summary>
    /// Answers a question from the knowledge base: retrieves sources, fits them into
    /// <see cref="KnowledgeAskOptions.SourceTokens"/> (exact counts, best first, whole chunks), renders them numbered
    /// through the <c>knowledge-query</c> template, calls the chat client and resolves the sources the answer cites.
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="options">The options; <see langword="null"/> (the default) for the defaults of <see cref="KnowledgeAskOptions"/>.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The answer with its citations; <see cref="KnowledgeAnswer.CitesNothing"/> flags an answer that cites no source.</returns>
    /// <exception cref="InvalidOperationException">The knowledge base has no chat client.</exception>
    public async Task<KnowledgeAnswer> AskAsync(string question, KnowledgeAskOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, messages, chatOptions, sources) = await PrepareAsync(question, options, cancellationToken).ConfigureAwait(false);
        ChatResponse response = await client.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        return Resolve(response.Text, sources, response);
    }

    /// <summary>Streams the answer of <see cref="AskAsync"/>; the last update carries the whole answer with its citations.</summary>
    /// <param name="question">The question.</param>
    /// <param name="options">The options; <see langword="null"/> (the default) for the defaults of <see cref="KnowledgeAskOptions"/>.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The text as it arrives, then the answer.</returns>
    public async IAsyncEnumerable<KnowledgeAnswerUpdate> AskStreamingAsync(string question, KnowledgeAskOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (client, messages, chatOptions, sources) = await PrepareAsync(question, options, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        UsageDetails? usage = null;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            foreach (UsageContent content in update.Contents.OfType<UsageContent>())
            {
                usage = content.Details;
            }

            if (update.Text is { Length: > 0 } piece)
            {
                text.Append(piece);
                yield return new KnowledgeAnswerUpdate(piece, null);
            }
        }

        yield return new KnowledgeAnswerUpdate("", Resolve(text.ToString(), sources, null) with { Usage = usage });
    }

    private async Task<(IChatClient Client, IList<ChatMessage> Messages, ChatOptions Options, List<KnowledgeCitation> Sources)> PrepareAsync(string question, KnowledgeAskOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        IChatClient client = _chatClient ?? throw new InvalidOperationException("AskAsync needs a chat client; pass LlmKit's IChatClient to the KnowledgeBase.");
        options ??= new KnowledgeAskOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SourceTokens, 1, nameof(options.SourceTokens));

        // Recent user turns make a follow-up ("and for contractors?") retrievable on its own.
        string query = string.Join("\n", options.History.Where(m => m.Role == ChatRole.User).TakeLast(2).Select(m => m.Text).Append(question));
        var found = await SearchAsync(query, options.Search, cancellationToken).ConfigureAwait(false);

        var sources = new List<KnowledgeCitation>();
        var documents = new List<Dictionary<string, object?>>();
        int used = 0;
        foreach (KnowledgeSearchResult result in found)
        {
            string title = DisplayTitle(result.Chunk);
            int tokens = _tokenizer.CountTokens($"[{sources.Count + 1}] {title}\n{result.Chunk.Text}\n\n");
            if (used + tokens > options.SourceTokens)
            {
                continue;
            }

            used += tokens;
            sources.Add(new KnowledgeCitation(sources.Count + 1, result.Chunk));
            documents.Add(new Dictionary<string, object?> { ["id"] = sources.Count, ["title"] = title, ["text"] = result.Chunk.Text });
        }

        PromptTemplate template = options.Template ?? DefaultPromptTemplates.All.Single(t => t.Id == KnowledgeQueryTemplateId);
        RenderedPrompt prompt = Renderer.Value.Render(template, new Dictionary<string, object?>
        {
            ["question"] = question,
            ["documents"] = documents,
            ["answer_style"] = options.AnswerStyle,
        });

        var messages = prompt.Messages.ToList();
        int system = messages.FindLastIndex(m => m.Role == ChatRole.System);
        messages.InsertRange(system + 1, options.History);
        ChatOptions chatOptions = prompt.Options.Clone();
        if (options.ChatOptions is { } overrides)
        {
            chatOptions.ModelId = overrides.ModelId ?? chatOptions.ModelId;
            chatOptions.Temperature = overrides.Temperature ?? chatOptions.Temperature;
            chatOptions.MaxOutputTokens = overrides.MaxOutputTokens ?? chatOptions.MaxOutputTokens;
            if (overrides.AdditionalProperties is { } extra)
            {
                chatOptions.AdditionalProperties ??= [];
                foreach (var pair in extra)
                {
                    chatOptions.AdditionalProperties[pair.Key] = pair.Value;
                }
            }
        }

        return (client, messages, chatOptions, sources);
    }

    private static KnowledgeAnswer Resolve(string text, List<KnowledgeCitation> sources, ChatResponse? response) => new()
    {
        Text = text,
        Sources = sources,
        Citations = [.. CitationParser.Parse(text, sources.Count).Select(n => sources[n - 1])],
        Response = response,
        Usage = response?.Usage,
    };

    private static string DisplayTitle(KnowledgeChunkRecord chunk)
    {
        var title = new StringBuilder(chunk.Title ?? chunk.DocumentId);
        if (chunk.Section is { Length: > 0 } section && section != chunk.Title)
        {
            title.Append(" > ").Append(section);
        }

        if (chunk.Page is { } page)
        {
            title.Append(" (page ").Append(page.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(')');
        }

        return title.ToString();
    }
}
