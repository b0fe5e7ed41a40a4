using System.Linq.Expressions;

namespace LlmKit;

/// <summary>Options of <see cref="IKeywordSearchable{TRecord}.KeywordSearchAsync"/>.</summary>
/// <typeparam name="TRecord">The record type of the collection.</typeparam>
public sealed class KeywordSearchOptions<TRecord>
{
    /// <summary>Gets or sets a filter records must pass; <see langword="null"/> (the default) for none.</summary>
    public Expression<Func<TRecord, bool>>? Filter { get; set; }

    /// <summary>Gets or sets how many of the best results to skip. Defaults to 0.</summary>
    public int Skip { get; set; }
}
