namespace LlmKit;

/// <summary>
/// One price in USD per million tokens, with its decimal taken apart once for the integer path: tokens × rate ÷ 10^6 is
/// the 64-bit product of the token count and <see cref="Mantissa"/>, at <see cref="Scale"/> (the rate's scale plus 6).
/// </summary>
internal readonly struct CostRate
{
    /// <summary>Initializes a rate from a price that may be unknown.</summary>
    /// <param name="value">The price, or <see langword="null"/> when unknown.</param>
    public CostRate(decimal? value)
    {
        if (value is not { } rate)
        {
            return;
        }

        Value = rate;
        IsKnown = true;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(rate, bits);
        Scale = ((bits[3] >> 16) & 0xFF) + 6;
        Mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];

        // The integer path needs a non-negative rate whose mantissa fits 64 bits and a scale decimal can hold.
        IsExact = bits[2] == 0 && bits[3] >= 0 && Scale <= 28;
    }

    /// <summary>Gets the price (meaningful when <see cref="IsKnown"/>).</summary>
    public decimal Value { get; }

    /// <summary>Gets a value indicating whether the price is known.</summary>
    public bool IsKnown { get; }

    /// <summary>Gets a value indicating whether the integer path can use this rate.</summary>
    public bool IsExact { get; }

    /// <summary>Gets the rate's mantissa.</summary>
    public ulong Mantissa { get; }

    /// <summary>Gets the scale of tokens × <see cref="Mantissa"/> as dollars: the rate's scale plus 6.</summary>
    public int Scale { get; }

    /// <summary>Gets the price as the nullable the pricing records use.</summary>
    public decimal? AsNullable => IsKnown ? Value : null;

    /// <summary>tokens × rate ÷ 10^6 as a 64-bit mantissa at <see cref="Scale"/>; false when the rate or the product does not fit.</summary>
    /// <param name="tokens">The token count.</param>
    /// <param name="mantissa">The product, when it fits.</param>
    /// <returns><see langword="true"/> when the integer path applies.</returns>
    public bool TryMultiply(long tokens, out ulong mantissa)
    {
        if (!IsExact || tokens < 0)
        {
            mantissa = 0;
            return false;
        }

        return Math.BigMul((ulong)tokens, Mantissa, out mantissa) == 0;
    }

    /// <summary>tokens × rate ÷ 10^6 exactly, without trailing zeros, as one line of the breakdown shows it.</summary>
    /// <param name="tokens">The token count.</param>
    /// <returns>The amount in USD.</returns>
    public decimal Amount(long tokens)
        => TryMultiply(tokens, out ulong mantissa) ? CostArithmetic.Compose(mantissa, Scale) : CostArithmetic.PerMillionTokens(tokens, Value);
}
