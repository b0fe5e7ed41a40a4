using LlmKit;
using MLTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers tokenizers for model families on <see cref="ILlmKitBuilder"/>.</summary>
public static class LlmKitTokenizerBuilderExtensions
{
    /// <summary>
    /// Counts the tokens of the models whose ids match <paramref name="modelPattern"/> with <paramref name="tokenizer"/>
    /// (in budgets, history fitting and the conversation service), ahead of every built-in choice.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="modelPattern">A model id or a pattern with <c>*</c> and <c>?</c> (for example <c>llama*</c>); see <see cref="TokenCounterRegistry"/>.</param>
    /// <param name="tokenizer">The counter or tokenizer.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPattern"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddTokenizer(this ILlmKitBuilder builder, string modelPattern, ITokenCounter tokenizer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPattern);
        ArgumentNullException.ThrowIfNull(tokenizer);
        builder.Services.AddSingleton(new TokenizerRegistration(modelPattern, tokenizer));
        return builder;
    }

    /// <summary>
    /// Counts the tokens of the models whose ids match <paramref name="modelPattern"/> with a Microsoft.ML.Tokenizers
    /// tokenizer (for example a <c>LlamaTokenizer</c> loaded from the model's files), through <see cref="MLTokenizerAdapter"/>.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="modelPattern">A model id or a pattern with <c>*</c> and <c>?</c> (for example <c>llama*</c>).</param>
    /// <param name="tokenizer">The Microsoft.ML.Tokenizers tokenizer.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPattern"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddTokenizer(this ILlmKitBuilder builder, string modelPattern, MLTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return builder.AddTokenizer(modelPattern, new MLTokenizerAdapter(tokenizer, $"{tokenizer.GetType().Name} ({modelPattern})"));
    }
}
