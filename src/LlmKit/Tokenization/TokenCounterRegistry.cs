using System.Diagnostics.CodeAnalysis;

namespace LlmKit;

/// <summary>
/// The token counters a host registered per model id pattern (<c>kit.AddTokenizer("llama*", tokenizer)</c>). The
/// pipeline asks it first when it picks the counter of a model, before the provider's own counter, LlmKit's tiktoken
/// encodings for OpenAI models and the calibrated estimate for other models; budgets, history fitting and the
/// conversation service then count with it.
/// </summary>
/// <remarks>
/// A pattern is a model id in which <c>*</c> stands for any run of characters and <c>?</c> for one character, matched
/// ignoring case against the whole model id and against the part after its last <c>/</c> (so <c>llama*</c> serves
/// <c>llama3.1:8b</c> and <c>ollama/llama3.1</c>). The first registered pattern that matches wins.
/// Registrations are made at start-up; lookups are thread-safe.
/// </remarks>
public sealed class TokenCounterRegistry
{
    private readonly List<(string Pattern, ITokenCounter Counter)> _entries = [];

    /// <summary>Initializes a new, empty instance.</summary>
    public TokenCounterRegistry()
    {
    }

    /// <summary>Gets the registered patterns, in the order they are tried.</summary>
    public IReadOnlyList<string> Patterns => _entries.ConvertAll(e => e.Pattern);

    /// <summary>Registers a counter for the models whose ids match <paramref name="modelPattern"/>.</summary>
    /// <param name="modelPattern">A model id, or a pattern with <c>*</c> and <c>?</c> wildcards.</param>
    /// <param name="counter">The counter (normally an <see cref="ITokenizer"/> such as <see cref="MLTokenizerAdapter"/>).</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPattern"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="counter"/> is <see langword="null"/>.</exception>
    public TokenCounterRegistry Add(string modelPattern, ITokenCounter counter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPattern);
        ArgumentNullException.ThrowIfNull(counter);
        _entries.Add((modelPattern.Trim(), counter));
        return this;
    }

    /// <summary>Finds the counter registered for a model.</summary>
    /// <param name="modelId">The model id, for example <c>llama3.1:8b</c>.</param>
    /// <param name="counter">The counter of the first matching pattern, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when a pattern matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelId"/> is <see langword="null"/>.</exception>
    public bool TryGet(string modelId, [NotNullWhen(true)] out ITokenCounter? counter)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ReadOnlySpan<char> id = modelId.AsSpan().Trim();
        int slash = id.LastIndexOf('/');
        ReadOnlySpan<char> bare = slash >= 0 ? id[(slash + 1)..] : id;
        foreach (var (pattern, candidate) in _entries)
        {
            if (Matches(pattern, id) || (slash >= 0 && Matches(pattern, bare)))
            {
                counter = candidate;
                return true;
            }
        }

        counter = null;
        return false;
    }

    /// <summary>Matches a glob with <c>*</c> and <c>?</c>, ignoring case, by the usual greedy backtracking over the last star.</summary>
    internal static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
