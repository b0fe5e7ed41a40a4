namespace LlmKit;

/// <summary>One <c>kit.AddTokenizer(pattern, counter)</c> call, collected into the <see cref="TokenCounterRegistry"/>.</summary>
internal sealed record TokenizerRegistration(string Pattern, ITokenCounter Counter);
