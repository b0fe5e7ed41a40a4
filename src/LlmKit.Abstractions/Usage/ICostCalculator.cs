using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Prices a call from its usage and the model registry's prices: cached and cache-write tokens at
/// their own rates, reasoning at the reasoning rate when the model has one, long-context tiers that
/// reprice the whole request; unknown prices give an unknown cost, never zero.
/// </summary>
public interface ICostCalculator
{
    /// <summary>Prices one call.</summary>
    /// <param name="model">The model id or alias whose prices apply.</param>
    /// <param name="usage">The call's usage, normalised as in Microsoft.Extensions.AI (cached input inside input, reasoning inside output; cache-write tokens in <see cref="UsageDetails.AdditionalCounts"/> under <c>cache_write_input_tokens</c>).</param>
    /// <param name="tier">The service tier: <c>standard</c> (the default), <c>batch</c>, <c>priority</c> or <c>flex</c>.</param>
    /// <param name="customPricing">Prices that replace the registry's for this call, or <see langword="null"/>.</param>
    /// <returns>The itemised cost, or an unknown cost with the reason.</returns>
    CallCost Calculate(string model, UsageDetails usage, string? tier = null, ModelPricing? customPricing = null);
}
